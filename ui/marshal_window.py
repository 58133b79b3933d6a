"""The queue marshal's window: who is done and who is missing, and which ten to call next.

A window of its own (a second screen on the station laptop). Everything it
shows is an :class:`app.marshal.MarshalSnapshot` computed by a poller on its
own thread: every half second it reads a cheap change token from the database
and recomputes the snapshot only when shots, absences or calls changed, so a
shot accepted at the camera shows here within about a second. Marking an
absence or calling a group is sent to the same thread; the UI thread never
touches the database.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import marshal
from app.i18n import language
from app.models import ABSENCE_REASONS

log = logging.getLogger(__name__)

POLL_MS = 500
GREEN = QColor("#1b7f3b")
AMBER = QColor("#8a5a00")
GREY = QColor("#666666")


@dataclass
class MarshalView:
    """What the poller hands to the window: the snapshot and this station's projection."""

    snap: marshal.MarshalSnapshot
    queue_left: int  # students still to photograph in this station's call order
    rate: float | None  # measured students per hour on this station
    finish: datetime | None


def compute_view(session, station_id: int | None = None, at: datetime | None = None) -> MarshalView:
    from app.plan import measured_rates

    snap = marshal.load(session, station_id, at=at)
    keys = set(snap.queue)
    left = 0
    for c in snap.classes:
        for s in c.students:
            if s.status == marshal.STATUS_REMAINING and (c.college, c.class_name, s.group_no) in keys:
                left += 1
    rate = None
    if snap.station_no is not None:
        m = measured_rates(session, snap.taken_at).get(snap.station_no)
        rate = m.rate if m else None
    finish = snap.taken_at + timedelta(hours=left / rate) if rate and left else (snap.taken_at if not left else None)
    return MarshalView(snap, left, rate, finish)


class SnapshotPoller(QObject):
    """Lives on its own QThread; owns every database access of the window."""

    view_ready = Signal(object)
    action_done = Signal(str)
    action_failed = Signal(str)

    def __init__(self, db, station_id: int | None = None, interval_ms: int = POLL_MS):
        super().__init__()
        self.db = db
        self.station_id = station_id
        self.interval_ms = interval_ms
        self._token = None
        self._timer: QTimer | None = None
        self.phone_port: int | None = None  # read here, on this thread, for the phone switch

    @Slot()
    def start(self) -> None:
        try:
            from app import settings

            with self.db.session() as s:
                self.phone_port = int(settings.get(s, "phone.port"))
        except Exception:  # the switch falls back to the default port
            log.exception("marshal: phone.port")
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        self._timer.start(self.interval_ms)
        self.poll(force=True)

    @Slot()
    def stop(self) -> None:
        """Runs on the poller's thread: the timer dies where it was made, then the poller goes home."""
        if self._timer is not None:
            self._timer.stop()
            self._timer.setParent(None)
            self._timer = None  # deleted here, on its own thread
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())

    @Slot()
    def poll(self, force: bool = False) -> None:
        try:
            with self.db.session() as s:
                token = marshal.change_token(s)
                # A minute tick refreshes the projection and the freshness even when nothing changed.
                minute = datetime.now().replace(second=0, microsecond=0)
                key = (token, minute)
                if not force and key == self._token:
                    return
                view = compute_view(s, self.station_id)
                self._token = key
        except Exception as exc:  # a locked or vanished database: say so, keep polling
            log.exception("marshal poll")
            self.action_failed.emit(str(exc))
            return
        self.view_ready.emit(view)

    @Slot(object)
    def run(self, job) -> None:
        """``job = (label, fn)``: fn(session) runs here, is committed, and the view refreshes."""
        label, fn = job
        try:
            with self.db.session() as s:
                fn(s)
                s.commit()
        except Exception as exc:
            msg = getattr(exc, "message", None) or str(exc)
            self.action_failed.emit(msg)
        else:
            self.action_done.emit(label)
        self.poll(force=True)


class AbsenceDialog(QDialog):
    """Reason for an absence: 请假, 实习, 已离校, 补拍, or other with a text."""

    def __init__(self, student: marshal.MarshalStudent, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("标记缺席"))
        form = QFormLayout(self)
        form.addRow(QLabel(f"{student.name}  {student.student_no}  {student.class_name}"))
        self.reason = QComboBox()
        for key, (zh, en) in ABSENCE_REASONS.items():
            self.reason.addItem(en if language() == "en" else zh, key)
        if student.absence_reason:
            self.reason.setCurrentIndex(max(0, self.reason.findData(student.absence_reason)))
        self.text = QLineEdit(student.absence_text or "")
        self.text.setPlaceholderText(self.tr("具体原因 (选“其他”时必填)"))
        form.addRow(self.tr("原因"), self.reason)
        form.addRow(self.tr("说明"), self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _check(self) -> None:
        if self.reason.currentData() == "other" and not self.text.text().strip():
            self.text.setFocus()
            self.text.setStyleSheet("border: 2px solid #b00020;")
            return
        self.accept()

    def value(self) -> tuple[str, str | None]:
        return self.reason.currentData(), (self.text.text().strip() or None)


class MarshalWindow(QMainWindow):
    """``MarshalWindow(db)``: shows, and forwards the marshal's actions to the poller thread."""

    view_changed = Signal(object)
    _submit = Signal(object)
    _stop_poller = Signal()

    def __init__(self, db, *, station_id: int | None = None, interval_ms: int = POLL_MS, parent=None):
        super().__init__(parent)
        self.db = db
        self.view: MarshalView | None = None
        self.phone = None
        self._selected: marshal.ClassKey | None = None
        self._tree_items: dict = {}
        self._build()
        self.retranslate()
        self.resize(1400, 860)

        self._thread = QThread(self)
        self._thread.setObjectName("marshal-poller")
        self.poller = SnapshotPoller(db, station_id, interval_ms)
        self.poller.moveToThread(self._thread)
        self._thread.started.connect(self.poller.start)
        self._submit.connect(self.poller.run)
        # Blocking: the timer must be stopped on its thread before that thread ends.
        self._stop_poller.connect(self.poller.stop, Qt.ConnectionType.BlockingQueuedConnection)
        self.poller.view_ready.connect(self._on_view)
        self.poller.action_done.connect(lambda m: self.statusBar().showMessage(m, 5000))
        self.poller.action_failed.connect(self._on_error)
        self._thread.start()

        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(1000)

    # --- layout -------------------------------------------------------------------

    def _build(self) -> None:
        root = QWidget()
        outer = QVBoxLayout(root)
        top = QHBoxLayout()
        self.totals = QLabel()
        self.totals.setObjectName("totals")
        f = self.totals.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.totals.setFont(f)
        self.finish = QLabel()
        self.fresh = QLabel()
        self.fresh.setStyleSheet("color:#666")
        self.phone_button = QPushButton()
        self.phone_button.setCheckable(True)
        self.phone_button.toggled.connect(self._toggle_phone)
        top.addWidget(self.totals)
        top.addStretch(1)
        top.addWidget(self.finish)
        top.addSpacing(16)
        top.addWidget(self.fresh)
        top.addSpacing(16)
        top.addWidget(self.phone_button)
        outer.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(5)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemSelectionChanged.connect(self._tree_selected)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, 5):
            self.tree.header().setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        split.addWidget(self.tree)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        self.cue = QLabel()
        self.cue.setObjectName("cue")
        self.cue.setWordWrap(True)
        self.cue.setStyleSheet("background:#ff9800;color:#000;font-weight:bold;padding:10px;border-radius:6px;")
        cf = self.cue.font()
        cf.setPointSizeF(cf.pointSizeF() * 1.6)
        self.cue.setFont(cf)
        self.cue.hide()
        rv.addWidget(self.cue)

        group_box = QFrame()
        group_box.setFrameShape(QFrame.Shape.StyledPanel)
        gv = QVBoxLayout(group_box)
        self.current_title = QLabel()
        tf = self.current_title.font()
        tf.setPointSizeF(tf.pointSizeF() * 1.25)
        tf.setBold(True)
        self.current_title.setFont(tf)
        self.current_title.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.members = QLabel()
        self.members.setWordWrap(True)
        self.members.setTextFormat(Qt.TextFormat.RichText)
        gv.addWidget(self.current_title)
        gv.addWidget(self.progress)
        gv.addWidget(self.members)
        self.next_label = QLabel()
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        gv.addWidget(self.next_label)
        buttons = QHBoxLayout()
        self.call_button = QPushButton()
        self.call_button.clicked.connect(self.call_next)
        self.undo_button = QPushButton()
        self.undo_button.clicked.connect(self.undo_call)
        buttons.addWidget(self.call_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        self.replan_button = QPushButton()
        self.replan_button.clicked.connect(self.replan)
        buttons.addWidget(self.replan_button)
        gv.addLayout(buttons)
        rv.addWidget(group_box)

        class_head = QHBoxLayout()
        self.class_title = QLabel()
        self.class_title.setFont(tf)
        self.show_all = QCheckBox()
        self.show_all.toggled.connect(lambda _on: self._fill_students())
        class_head.addWidget(self.class_title)
        class_head.addStretch(1)
        class_head.addWidget(self.show_all)
        rv.addLayout(class_head)
        self.students = QTableWidget(0, 7)
        self.students.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.students.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.students.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.students.verticalHeader().setVisible(False)
        self.students.horizontalHeader().setStretchLastSection(True)
        self.students.doubleClicked.connect(lambda _i: self.mark_absent())
        rv.addWidget(self.students, 1)
        actions = QHBoxLayout()
        self.absent_button = QPushButton()
        self.absent_button.clicked.connect(self.mark_absent)
        self.present_button = QPushButton()
        self.present_button.clicked.connect(self.clear_absence)
        actions.addWidget(self.absent_button)
        actions.addWidget(self.present_button)
        actions.addStretch(1)
        rv.addLayout(actions)

        self.qr_box = QFrame()
        qv = QHBoxLayout(self.qr_box)
        self.qr = QLabel()
        self.qr_text = QLabel()
        self.qr_text.setWordWrap(True)
        self.qr_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        qv.addWidget(self.qr)
        qv.addWidget(self.qr_text, 1)
        self.qr_box.hide()
        rv.addWidget(self.qr_box)

        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([520, 880])
        outer.addWidget(split, 1)
        self.setCentralWidget(root)

        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.call_next)
        QShortcut(QKeySequence(Qt.Key.Key_F3), self, self.mark_absent)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("候场引导 · 已拍未拍 / 每 10 人一组"))
        self.tree.setHeaderLabels([self.tr("学院 / 班级"), self.tr("名单"), self.tr("已拍"), self.tr("缺席"), self.tr("未拍")])
        self.students.setHorizontalHeaderLabels(
            [self.tr("名单行"), self.tr("学号"), self.tr("姓名"), self.tr("性别"), self.tr("身份证号"), self.tr("组"), self.tr("状态")]
        )
        self.call_button.setText(self.tr("已叫下一组 (F2)"))
        self.undo_button.setText(self.tr("撤销叫组"))
        self.replan_button.setText(self.tr("按实测速度重排剩余"))
        self.replan_button.setToolTip(self.tr("按各机位近一小时的实际速度, 从现在起重排还没拍的组 (签字表时间和叫组顺序随之更新)"))
        self.absent_button.setText(self.tr("标记缺席… (F3)"))
        self.present_button.setText(self.tr("取消缺席 (已到)"))
        self.show_all.setText(self.tr("显示已拍"))
        self._phone_label()

    def _phone_label(self) -> None:
        on = self.phone is not None
        self.phone_button.setText(self.tr("手机页面: 开") if on else self.tr("手机页面: 关"))

    # --- updates ----------------------------------------------------------------------

    @Slot(object)
    def _on_view(self, view: MarshalView) -> None:
        self.view = view
        snap = view.snap
        self.totals.setText(
            self.tr("名单 {0} · 已拍 {1} · 缺席 {2} · 未拍 {3}").format(snap.roster, snap.photographed, snap.absent, snap.remaining)
        )
        if view.finish is not None and view.rate:
            self.finish.setText(
                self.tr("本机位剩 {0} 人 · {1:.0f} 人/小时 · 预计 {2} 结束").format(view.queue_left, view.rate, view.finish.strftime("%H:%M"))
            )
        elif view.queue_left:
            self.finish.setText(self.tr("本机位剩 {0} 人").format(view.queue_left))
        else:
            self.finish.setText(self.tr("本机位已拍完"))
        self._fill_tree(snap)
        self._fill_group(snap)
        if self._selected is None and snap.current is not None:
            self._select_class(snap.current.college, snap.current.class_name)
        elif self._selected is None and snap.next is not None:
            self._select_class(snap.next.college, snap.next.class_name)
        self._fill_students()
        self._tick()
        self.view_changed.emit(view)

    def _tick(self) -> None:
        if self.view is None:
            self.fresh.setText(self.tr("正在读取…"))
            return
        age = int((datetime.now() - self.view.snap.taken_at).total_seconds())
        self.fresh.setText(self.tr("数据 {0} ({1} 秒前)").format(self.view.snap.taken_at.strftime("%H:%M:%S"), age))

    def _fill_tree(self, snap: marshal.MarshalSnapshot) -> None:
        wanted = set()
        for ci, col in enumerate(snap.colleges):
            key = ("college", col.college)
            wanted.add(key)
            item = self._tree_items.get(key)
            if item is None:
                item = QTreeWidgetItem(self.tree)
                item.setData(0, Qt.ItemDataRole.UserRole, key)
                self._tree_items[key] = item
                item.setExpanded(True)
                bold = item.font(0)
                bold.setBold(True)
                for i in range(5):
                    item.setFont(i, bold)
            if self.tree.indexOfTopLevelItem(item) != ci:
                self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
                self.tree.insertTopLevelItem(ci, item)
                item.setExpanded(True)
            label = col.label + (self.tr("  ✓ 已拍完, 请与带队老师核对") if col.complete else "")
            self._set_row(item, label, col.roster, col.photographed, col.absent, col.remaining, GREEN if col.complete else None)
            for c in col.classes:
                ckey = ("class", c.college, c.class_name)
                wanted.add(ckey)
                child = self._tree_items.get(ckey)
                if child is None:
                    child = QTreeWidgetItem(item)
                    child.setData(0, Qt.ItemDataRole.UserRole, ckey)
                    self._tree_items[ckey] = child
                label = c.class_name or self.tr("(未填班级)")
                if c.extra:
                    label += self.tr(" (+{0} 名单外)").format(c.extra)
                colour = GREEN if c.remaining == 0 else None
                self._set_row(child, label, c.roster, c.photographed, c.absent, c.remaining, colour)
        for key in [k for k in self._tree_items if k not in wanted]:
            item = self._tree_items.pop(key)
            parent = item.parent()
            if parent is not None:
                parent.removeChild(item)
            else:
                self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))

    @staticmethod
    def _set_row(item: QTreeWidgetItem, label: str, roster: int, done: int, absent: int, left: int, colour) -> None:
        values = [label, str(roster), str(done), str(absent), str(left)]
        for i, v in enumerate(values):
            if item.text(i) != v:
                item.setText(i, v)
            if i:
                item.setTextAlignment(i, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        brush = QBrush(colour) if colour is not None else QBrush()
        item.setForeground(0, brush)

    def _fill_group(self, snap: marshal.MarshalSnapshot) -> None:
        cur, nxt = snap.current, snap.next
        if cur is None:
            self.current_title.setText(self.tr("当前组: 还没有叫组"))
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("")
            self.members.setText("")
        else:
            head = self.tr("当前组 (按最近拍摄自动判断)") if cur.auto else self.tr("当前组")
            when = ""
            if cur.called_at is not None:
                when = self.tr(" · {0} 叫").format(cur.called_at.strftime("%H:%M"))
            self.current_title.setText(f"{head}: {cur.title}{when}")
            self.progress.setRange(0, max(cur.size, 1))
            self.progress.setValue(cur.done + cur.absent)
            self.progress.setFormat(self.tr("已拍 {0}/{1} · 缺席 {2} · 待拍 {3}").format(cur.done, cur.size, cur.absent, cur.remaining))
            self.members.setText(" ".join(self._member_html(s) for s in cur.members))
        if cur is not None and cur.cue:
            if nxt is not None:
                self.cue.setText(
                    self.tr("当前组已拍 {0}/{1}: 请叫下一组 — {2} ({3} 人)").format(cur.done, cur.size, nxt.title, len(nxt.to_call))
                )
            else:
                self.cue.setText(self.tr("当前组已拍 {0}/{1}: 没有待叫的组了").format(cur.done, cur.size))
            self.cue.show()
        else:
            self.cue.hide()
        if nxt is None:
            self.next_label.setText(self.tr("<b>下一组:</b> 没有待叫的学生"))
            self.call_button.setEnabled(False)
        else:
            when = ""
            if nxt.slot is not None:
                when = self.tr(" · 计划 {0}–{1} 机位{2}").format(
                    nxt.slot.start_at.strftime("%H:%M"), nxt.slot.end_at.strftime("%H:%M"), nxt.slot.station_no
                )
            names = "、".join(s.name for s in nxt.to_call)
            self.next_label.setText(
                self.tr("<b>下一组:</b> {0}{1} · 要叫 {2} 人: {3}").format(nxt.title, when, len(nxt.to_call), names)
            )
            self.call_button.setEnabled(True)
        self.undo_button.setEnabled(cur is not None and not cur.auto)

    def _member_html(self, s: marshal.MarshalStudent) -> str:
        import html

        name = html.escape(s.name)
        if s.status == marshal.STATUS_PHOTOGRAPHED:
            return f'<span style="color:#1b7f3b">✓{name}</span>'
        if s.status == marshal.STATUS_ABSENT:
            return f'<span style="color:#8a5a00">✗{name}({html.escape(s.reason)})</span>'
        if s.status == marshal.STATUS_PENDING:
            return f'<span style="color:#8a5a00">◐{name}({html.escape(self.tr("已拍未确认"))})</span>'
        return f"<b>○{name}</b>"

    def _tree_selected(self) -> None:
        items = self.tree.selectedItems()
        if not items:
            return
        key = items[0].data(0, Qt.ItemDataRole.UserRole)
        if key and key[0] == "class":
            self._selected = (key[1], key[2])
            self._fill_students()

    def _select_class(self, college: str, class_name: str) -> None:
        item = self._tree_items.get(("class", college, class_name))
        if item is not None:
            self.tree.setCurrentItem(item)
        self._selected = (college, class_name)

    def _fill_students(self) -> None:
        if self.view is None or self._selected is None:
            return
        cls = self.view.snap.find_class(*self._selected)
        if cls is None:
            self.class_title.setText("")
            self.students.setRowCount(0)
            return
        self.class_title.setText(
            self.tr("{0} {1}: 未拍 {2} · 缺席 {3} · 已拍 {4}/{5}").format(
                marshal.college_label(cls.college), cls.class_name, cls.remaining, cls.absent, cls.photographed, cls.roster
            )
        )
        keep = self.selected_student_id()
        rows = sorted(cls.students, key=lambda s: (s.roster_order, s.id)) if self.show_all.isChecked() else cls.not_photographed()
        self.students.setRowCount(len(rows))
        for r, s in enumerate(rows):
            status = {
                marshal.STATUS_PHOTOGRAPHED: self.tr("已拍"),
                marshal.STATUS_ABSENT: self.tr("缺席: {0}").format(s.reason),
                marshal.STATUS_REMAINING: self.tr("待拍"),
                marshal.STATUS_PENDING: self.tr("已拍未确认"),
            }[s.status]
            if s.has_error:
                status += self.tr(" · 名单有误")
            values = [str(s.roster_row) if s.roster_row else "", s.student_no, s.name, s.gender, s.masked_id, str(s.group_no), status]
            colour = {marshal.STATUS_PHOTOGRAPHED: GREEN, marshal.STATUS_ABSENT: AMBER}.get(s.status)
            for c, v in enumerate(values):
                it = QTableWidgetItem(v)
                it.setData(Qt.ItemDataRole.UserRole, s.id)
                if colour is not None:
                    it.setForeground(QBrush(colour))
                self.students.setItem(r, c, it)
            if s.id == keep:
                self.students.selectRow(r)
        self.students.resizeColumnsToContents()

    # --- actions -------------------------------------------------------------------------

    def selected_student_id(self) -> int | None:
        rows = self.students.selectionModel().selectedRows() if self.students.selectionModel() else []
        if not rows:
            return None
        it = self.students.item(rows[0].row(), 0)
        return it.data(Qt.ItemDataRole.UserRole) if it else None

    def _selected_student(self) -> marshal.MarshalStudent | None:
        sid = self.selected_student_id()
        if sid is None or self.view is None or self._selected is None:
            return None
        cls = self.view.snap.find_class(*self._selected)
        return next((s for s in cls.students if s.id == sid), None) if cls else None

    def submit(self, label: str, fn) -> None:
        """Run ``fn(session)`` on the poller's thread (never here)."""
        self._submit.emit((label, fn))

    def call_next(self) -> None:
        if self.view is None or self.view.snap.next is None:
            return
        g = self.view.snap.next
        key = (g.college, g.class_name, g.group_no)
        self.submit(
            self.tr("已叫: {0}").format(g.title),
            lambda s: marshal.call_group(s, *key, station_id=self.poller.station_id),
        )

    def replan(self) -> None:
        """A new timetable for what remains, at the rates measured in the last hour (``station plan --replan``)."""
        self.submit(self.tr("已按实测速度重排剩余学生, 签字表和叫组顺序已更新"), _replan_now)

    def undo_call(self) -> None:
        self.submit(self.tr("已撤销上一次叫组"), lambda s: marshal.cancel_last_call(s, station_id=self.poller.station_id))

    def mark_absent(self, student: marshal.MarshalStudent | None = None, reason: str | None = None, text: str | None = None) -> None:
        student = student or self._selected_student()
        if student is None:
            self.statusBar().showMessage(self.tr("请先在列表中选一名学生"), 4000)
            return
        if student.status == marshal.STATUS_PHOTOGRAPHED:
            self.statusBar().showMessage(self.tr("{0} 已拍照").format(student.name), 4000)
            return
        if reason is None:
            dlg = AbsenceDialog(student, self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            reason, text = dlg.value()
        sid = student.id
        self.submit(
            self.tr("{0}: 已标记缺席").format(student.name),
            lambda s: marshal.mark_absent(s, sid, reason, text, station_id=self.poller.station_id),
        )

    def clear_absence(self) -> None:
        student = self._selected_student()
        if student is None or student.status != marshal.STATUS_ABSENT:
            self.statusBar().showMessage(self.tr("请选择一名缺席的学生"), 4000)
            return
        sid = student.id
        self.submit(self.tr("{0}: 已取消缺席").format(student.name), lambda s: marshal.clear_absence(s, sid))

    def _on_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # --- the phone page ----------------------------------------------------------------

    def _toggle_phone(self, on: bool) -> None:
        from app.errors import StationError
        from app.phone import PhoneServer

        if on and self.phone is None:
            from app import settings

            # read on the poller's thread when it started (no database access here)
            port = self.poller.phone_port if self.poller.phone_port is not None else int(settings.DEFAULTS["phone.port"])
            try:
                self.phone = PhoneServer(self.db, port=port, station_id=self.poller.station_id).start()
            except StationError as exc:
                self.phone_button.blockSignals(True)
                self.phone_button.setChecked(False)
                self.phone_button.blockSignals(False)
                QMessageBox.warning(self, self.tr("手机页面"), exc.message)
                return
            pix = QPixmap()
            pix.loadFromData(self.phone.qr_png(scale=5))
            self.qr.setPixmap(pix)
            self.qr_text.setText(
                self.tr("用手机扫码查看 (仅限同一局域网, 只读, 姓名已隐去部分, 不显示身份证号)。\n地址: {0}\n访问码: {1}").format(
                    self.phone.url.split("?")[0], self.phone.code
                )
            )
            self.qr_box.show()
        elif not on and self.phone is not None:
            server, self.phone = self.phone, None
            threading.Thread(target=server.stop, name="phone-stop", daemon=True).start()  # shutdown waits for the serve loop
            self.qr_box.hide()
        self._phone_label()

    # --- lifecycle --------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        if self.phone is not None:
            self.phone.stop()
            self.phone = None
        if self._thread.isRunning():
            self._stop_poller.emit()
            self._thread.quit()
            self._thread.wait(5000)


def install_translator(app, lang: str):
    """English for this window from ui/i18n/marshal_en.qm (Chinese is the source language).

    The window keeps its own catalogue so its strings are translated without
    editing the photographer's window's ``station_en.ts``. To refresh it:
    ``pyside6-lupdate ui/marshal_window.py -source-language zh_CN -target-language en
    -ts ui/i18n/marshal_en.ts -no-obsolete``, translate, then ``pyside6-lrelease``.
    """
    from pathlib import Path

    from PySide6.QtCore import QTranslator

    if not lang.lower().startswith("en"):
        return None
    tr = QTranslator(app)
    if tr.load(str(Path(__file__).with_name("i18n") / "marshal_en.qm")):
        app.installTranslator(tr)
        return tr
    log.warning("ui/i18n/marshal_en.qm missing: the marshal window stays in Chinese")
    return None


def run_marshal_window(db, *, phone: bool = False, screenshot: str | None = None) -> int:
    """Open the marshal window (``station marshal``); with ``screenshot``, grab it and exit."""
    import os

    from app import settings
    from ui.app import create_application, qt_environment

    with db.session() as s:
        lang = os.environ.get("STATION_LANG") or str(settings.get(s, "language"))
    with qt_environment():
        app = create_application(lang)
        install_translator(app, lang)
        win = MarshalWindow(db)
        win.show()
        if phone:
            win.phone_button.setChecked(True)
        if screenshot:

            def grab(_view=None) -> None:
                QTimer.singleShot(300, lambda: (win.grab().save(screenshot), win.close(), app.quit()))

            win.view_changed.connect(grab)
        code = app.exec()
        win.shutdown()
        return int(code)


def _replan_now(session) -> None:
    """Runs on the poller's thread: re-plan what remains from now and keep it as the current timetable."""
    from app import plan as planner
    from app.errors import StationError
    from app.i18n import t

    p, _measured = planner.replan(session)
    if not p.slots:
        raise StationError(t("没有剩余的学生需要排期", "nobody left to plan"))
    planner.save_plan(session, p)
