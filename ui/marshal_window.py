"""The queue marshal's window: who is done and who is missing, and which ten to call next.

A window of its own, made for a second screen read from two metres away:
large letters, the current group's progress in words beside its bar, and a
line saying which stations' photos it counts (the database it reads, this
laptop's station and any merged ones). Its keys never mean something else at
the camera: F8 records the next group as called, F9 marks a student absent,
F10 clears an absence (the photographer's F2/F3 are the unlisted student and
the data-problem form).

Everything it shows is a :class:`app.marshal_service.MarshalView` computed by
:class:`app.marshal_service.MarshalService` on the worker pool (the poller,
:mod:`ui.marshal_poller`); the tree of colleges and the student table are in
:mod:`ui.marshal_widgets`. The UI thread never touches the database.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.errors import StationError
from app.marshal_service import MarshalService, MarshalView
from app.phone import PhoneServer
from app.roll_call import board as marshal
from ui import signed_counts
from ui.marshal_dialogs import AbsenceDialog
from ui.marshal_poller import POLL_MS, SnapshotPoller
from ui.marshal_widgets import AMBER, GREEN, GREY, ClassTree, StudentTable
from ui.workers import Runner

__all__ = ["MarshalWindow", "AbsenceDialog", "MarshalView", "SnapshotPoller", "MARSHAL_KEYS",
           "GREEN", "AMBER", "GREY"]

log = logging.getLogger(__name__)

# The marshal's keys: none of them means anything at the camera (see ui/main_window.py).
MARSHAL_KEYS = {"call": "F8", "absent": "F9", "present": "F10"}
# Letters for a second screen read from about 2 m: px of the body text, the totals and the cue.
BODY_PX, TITLE_PX, TOTALS_PX, CUE_PX = 20, 26, 34, 30


class MarshalWindow(QMainWindow):
    """``MarshalWindow(db)``: shows, and forwards the marshal's actions to its service on the worker pool."""

    view_changed = Signal(object)

    def __init__(self, db, *, station_id: int | None = None, interval_ms: int = POLL_MS, parent=None):
        super().__init__(parent)
        self.db = db
        self.view: MarshalView | None = None
        self.phone = None
        self._selected: marshal.ClassKey | None = None
        self._build()
        self.retranslate()
        self.resize(1400, 860)

        self.service = MarshalService(db, station_id)
        self.poller = SnapshotPoller(self.service, interval_ms, self)
        self.poller.view_ready.connect(self._on_view)
        self.poller.action_done.connect(lambda m: self.statusBar().showMessage(m, 5000))
        self.poller.action_failed.connect(self._on_error)
        self.poller.start()
        self._phone_jobs = Runner(self, threads=1)  # stopping the phone page waits for its serve loop

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
        self.totals.setStyleSheet(f"font-size:{TOTALS_PX}px;font-weight:bold;")
        self.finish = QLabel()
        self.finish.setStyleSheet(f"font-size:{TITLE_PX}px;")
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
        self.sources = QLabel()  # which stations' photos the counts include, read from which database
        self.sources.setWordWrap(True)
        self.sources.setStyleSheet(f"color:#444;font-size:{BODY_PX - 3}px;")
        outer.addWidget(self.sources)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tree = ClassTree()
        self.tree.itemSelectionChanged.connect(self._tree_selected)
        split.addWidget(self.tree)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        self.cue = QLabel()
        self.cue.setObjectName("cue")
        self.cue.setWordWrap(True)
        self.cue.setStyleSheet("background:#ff9800;color:#000;font-weight:bold;padding:10px;border-radius:6px;")
        self.cue.setStyleSheet(self.cue.styleSheet() + f"font-size:{CUE_PX}px;")
        self.cue.hide()
        rv.addWidget(self.cue)

        group_box = QFrame()
        group_box.setFrameShape(QFrame.Shape.StyledPanel)
        gv = QVBoxLayout(group_box)
        self.current_title = QLabel()
        self.current_title.setStyleSheet(f"font-size:{TITLE_PX}px;font-weight:bold;")
        self.current_title.setWordWrap(True)
        # The counts in words beside the bar, never painted on it (the fill cut the text in two).
        self.progress_text = QLabel()
        self.progress_text.setStyleSheet(f"font-size:{TITLE_PX}px;")
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(18)
        self.members = QLabel()
        self.members.setWordWrap(True)
        self.members.setTextFormat(Qt.TextFormat.RichText)
        gv.addWidget(self.current_title)
        gv.addWidget(self.progress_text)
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
        self.class_title.setStyleSheet(f"font-size:{TITLE_PX}px;font-weight:bold;")
        self.show_all = QCheckBox()
        self.show_all.toggled.connect(lambda _on: self._fill_students())
        class_head.addWidget(self.class_title)
        class_head.addStretch(1)
        class_head.addWidget(self.show_all)
        rv.addLayout(class_head)
        self.students = StudentTable()
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
        signed_counts.attach(self, actions)  # 签字人数 table (issue 13)
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

        # large letters everywhere for a second screen at 2 m (the lists' rows grow with them)
        root.setStyleSheet(f"QWidget{{font-size:{BODY_PX}px;}} QHeaderView::section{{font-size:{BODY_PX - 2}px;}}")
        QShortcut(QKeySequence(MARSHAL_KEYS["call"]), self, self.call_next)
        QShortcut(QKeySequence(MARSHAL_KEYS["absent"]), self, self.mark_absent)
        QShortcut(QKeySequence(MARSHAL_KEYS["present"]), self, self.clear_absence)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("候场引导 · 已拍未拍 / 每 10 人一组"))
        self.tree.retranslate()
        self.students.retranslate()
        self.call_button.setText(self.tr("已叫下一组 (F8)"))
        self.undo_button.setText(self.tr("撤销叫组"))
        self.replan_button.setText(self.tr("按实测速度重排剩余"))
        self.replan_button.setToolTip(self.tr("按各机位近一小时的实际速度, 从现在起重排还没拍的组 (签字表时间和叫组顺序随之更新)"))
        self.absent_button.setText(self.tr("标记缺席… (F9)"))
        self.present_button.setText(self.tr("取消缺席, 已到 (F10)"))
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
        self.tree.fill(snap)
        self._fill_group(snap)
        self.sources.setText(self.sources_text(view))
        if self._selected is None and snap.current is not None:
            self._select_class(snap.current.college, snap.current.class_name)
        elif self._selected is None and snap.next is not None:
            self._select_class(snap.next.college, snap.next.class_name)
        self._fill_students()
        self._tick()
        self.view_changed.emit(view)

    def sources_text(self, view: MarshalView) -> str:
        """Which stations the counts include, and from which database: said, not guessed."""
        parts = []
        for st in view.stations:
            who = self.tr("{0} (本机)").format(st.name) if st.local else st.name
            parts.append(self.tr("{0} 已拍 {1} 人").format(who, st.photographed))
        listed = "、".join(parts) if parts else self.tr("还没有机位")
        local = next((st for st in view.stations if st.local), None)
        order = self.tr("叫组顺序按本机位 ({0})").format(local.name) if local else ""
        if view.site:  # site mode: the other stations arrive by themselves; say how fresh they are
            return self.tr("数据来源: {db} · 计入 {stations}。{order}; {site}").format(
                db=view.database or "—", stations=listed, order=order, site=view.site)
        return self.tr("数据来源: {db} · 计入 {stations}。{order}; 其他笔记本的拍摄合并 (station merge) 到此数据库后才计入。").format(
            db=view.database or "—", stations=listed, order=order)

    def _tick(self) -> None:
        if self.view is None:
            self.fresh.setText(self.tr("正在读取…"))
            return
        age = int((datetime.now() - self.view.snap.taken_at).total_seconds())
        self.fresh.setText(self.tr("数据 {0} ({1} 秒前)").format(self.view.snap.taken_at.strftime("%H:%M:%S"), age))

    def _fill_group(self, snap: marshal.MarshalSnapshot) -> None:
        cur, nxt = snap.current, snap.next
        if cur is None:
            self.current_title.setText(self.tr("当前组: 还没有叫组"))
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress_text.setText("")
            self.members.setText("")
        else:
            head = self.tr("当前组 (按最近拍摄自动判断)") if cur.auto else self.tr("当前组")
            when = ""
            if cur.called_at is not None:
                when = self.tr(" · {0} 叫").format(cur.called_at.strftime("%H:%M"))
            self.current_title.setText(f"{head}: {cur.title}{when}")
            self.progress.setRange(0, max(cur.size, 1))
            self.progress.setValue(cur.done + cur.absent)
            self.progress_text.setText(self.tr("已拍 {0}/{1} · 缺席 {2} · 待拍 {3}").format(cur.done, cur.size, cur.absent, cur.remaining))
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
        name = html.escape(s.name)
        if s.status == marshal.STATUS_PHOTOGRAPHED:
            return f'<span style="color:#1b7f3b">✓{name}</span>'
        if s.status == marshal.STATUS_ABSENT:
            return f'<span style="color:#8a5a00">✗{name}({html.escape(s.reason)})</span>'
        if s.status == marshal.STATUS_PENDING:
            return f'<span style="color:#8a5a00">◐{name}({html.escape(self.tr("已拍未确认"))})</span>'
        return f"<b>○{name}</b>"

    def _tree_selected(self) -> None:
        key = self.tree.selected_key()
        if key and key[0] == "class":
            self._selected = (key[1], key[2])
            self._fill_students()

    def _select_class(self, college: str, class_name: str) -> None:
        self.tree.select_class(college, class_name)
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
        self.students.fill(cls, self.show_all.isChecked())

    # --- actions -------------------------------------------------------------------------

    def selected_student_id(self) -> int | None:
        return self.students.selected_student_id()

    def _selected_student(self) -> marshal.MarshalStudent | None:
        sid = self.selected_student_id()
        if sid is None or self.view is None or self._selected is None:
            return None
        cls = self.view.snap.find_class(*self._selected)
        return next((s for s in cls.students if s.id == sid), None) if cls else None

    def submit(self, label: str, fn) -> None:
        """Run ``fn()`` (a call of ``self.service``) on the worker pool (never here)."""
        self.poller.run(label, fn)

    def call_next(self) -> None:
        if self.view is None or self.view.snap.next is None:
            return
        g = self.view.snap.next
        key = (g.college, g.class_name, g.group_no)
        self.submit(
            self.tr("已叫: {0}").format(g.title),
            lambda: self.service.call_group(*key),
        )

    def replan(self) -> None:
        """A new timetable for what remains, at the rates measured in the last hour (``station plan --replan``)."""
        self.submit(self.tr("已按实测速度重排剩余学生, 签字表和叫组顺序已更新"), self.service.replan)

    def undo_call(self) -> None:
        self.submit(self.tr("已撤销上一次叫组"), self.service.cancel_last_call)

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
            lambda: self.service.mark_absent(sid, reason, text),
        )

    def clear_absence(self) -> None:
        student = self._selected_student()
        if student is None or student.status != marshal.STATUS_ABSENT:
            self.statusBar().showMessage(self.tr("请选择一名缺席的学生"), 4000)
            return
        sid = student.id
        self.submit(self.tr("{0}: 已取消缺席").format(student.name), lambda: self.service.clear_absence(sid))

    def _on_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # --- the phone page ----------------------------------------------------------------

    def _toggle_phone(self, on: bool) -> None:
        if on and self.phone is None:
            # read on the worker pool when the poller started (no database access here)
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
            self._phone_jobs.submit(server.stop)  # shutdown waits for the serve loop: not on the UI thread
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
        self.poller.stop()
