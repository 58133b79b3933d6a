"""待分配照片: the photos that belong to no student, and the files the start-up check found wrong.

A window of its own (not modal: the queue goes on behind it). It lists,
with thumbnails, every photo of this station that belongs to no student —
files found in the capture folder that the database did not know (the
station stopped between saving and recording them), and camera-button
photos that nobody's scan claimed — and lets the photographer give one to a
student (found as in the main field: student number, ID number or its last
six, name, pinyin initials; or the student the file name suggests) or take
it off the list (the file stays on disk). Records whose file is missing or
changed are listed plainly underneath.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.workflow import RecoveryResult, WaitingShot
from ui.shot_strip import IMAGE_ROLE, SHOT_ROLE, ThumbnailDelegate, fit_image
from ui.student_card import CandidateList

THUMB = QSize(90, 120)
PREVIEW = QSize(300, 400)
SEARCH_DELAY_MS = 150


class WaitingPanel(QDialog):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.ctl = controller
        self.setModal(False)
        self.items: list[WaitingShot] = []
        self._previews: dict[int, QImage] = {}
        self._recovery: RecoveryResult | None = None
        self.found = 0  # unknown photos the start-up check recorded (the checksum pass finds none)
        self._build()
        self.retranslate()
        c = controller
        c.waiting.connect(self.show_items)
        c.thumbnail.connect(self._on_thumbnail)
        c.candidates.connect(self._on_candidates)
        c.assigned.connect(self._on_assigned)
        c.discarded.connect(self._on_discarded)
        c.recovery.connect(self.show_recovery)
        c.failed.connect(self._on_failed)
        self.resize(1100, 760)

    # --- layout ---------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size:16px;")
        lay.addWidget(self.summary)
        split = QSplitter(Qt.Orientation.Horizontal)
        lay.addWidget(split, 1)

        self.list = QListWidget()
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setSpacing(6)
        self.list.setItemDelegate(ThumbnailDelegate(THUMB, self.list))
        self.list.currentItemChanged.connect(lambda *_: self._on_current())
        split.addWidget(self.list)

        side = QWidget()
        right = QVBoxLayout(side)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background:#1b1e22;color:#ddd;")
        right.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        self.details = QLabel()
        self.details.setWordWrap(True)
        right.addWidget(self.details)
        self.suggest_button = QPushButton()
        self.suggest_button.clicked.connect(self.assign_suggested)
        right.addWidget(self.suggest_button)
        self.search_label = QLabel()
        right.addWidget(self.search_label)
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda _t: self._search_timer.start(SEARCH_DELAY_MS))
        self.search.returnPressed.connect(self.assign_chosen)
        right.addWidget(self.search)
        self.candidates = CandidateList()
        self.candidates.setMaximumHeight(150)
        self.candidates.currentItemChanged.connect(lambda *_: self._refresh_buttons())
        self.candidates.picked.connect(lambda _sid: self._refresh_buttons())
        right.addWidget(self.candidates)
        self.select_box = QCheckBox()
        self.select_box.setChecked(True)
        right.addWidget(self.select_box)
        self.assign_button = QPushButton()
        self.assign_button.clicked.connect(self.assign_chosen)
        right.addWidget(self.assign_button)
        row = QHBoxLayout()
        self.discard_note = QLineEdit()
        self.discard_button = QPushButton()
        self.discard_button.clicked.connect(self.discard_current)
        row.addWidget(self.discard_note, 1)
        row.addWidget(self.discard_button)
        right.addLayout(row)
        right.addStretch(1)
        split.addWidget(side)
        split.setStretchFactor(0, 1)

        self.problems_label = QLabel()
        lay.addWidget(self.problems_label)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(130)
        self.problems.setStyleSheet("color:#8a1c1c;")
        lay.addWidget(self.problems)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.close)
        bottom.addWidget(self.close_button)
        lay.addLayout(bottom)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.timeout.connect(self._do_search)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("待分配照片"))
        self.search_label.setText(self.tr("分配给学生: 输入学号、身份证号 (或后6位)、姓名或拼音首字母"))
        self.search.setPlaceholderText(self.tr("搜索学生"))
        self.select_box.setText(self.tr("该学生还没有选用照片时, 设为选用照片 (须通过检查)"))
        self.assign_button.setText(self.tr("分配给所选学生"))
        self.discard_note.setPlaceholderText(self.tr("移出原因 (可不填)"))
        self.discard_button.setText(self.tr("移出列表 (文件保留)"))
        self.close_button.setText(self.tr("关闭"))
        self._refresh_summary()
        self._on_current()

    # --- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        self.ctl.load_waiting()

    def show_items(self, items: list[WaitingShot]) -> None:
        keep = self.current_shot_id()
        self.items = list(items)
        self.list.clear()
        ids = {w.shot.id for w in items}
        self._previews = {k: v for k, v in self._previews.items() if k in ids}
        for w in items:
            it = QListWidgetItem(self._item_text(w))
            it.setData(Qt.ItemDataRole.UserRole, w.shot.id)
            it.setData(SHOT_ROLE, w.shot)
            if w.shot.id in self._previews:
                it.setData(IMAGE_ROLE, fit_image(self._previews[w.shot.id], THUMB))
            elif w.file_ok:
                self.ctl.load_thumbnail(w.shot.id, w.shot.path, (PREVIEW.width(), PREVIEW.height()))
            it.setToolTip(w.shot.path)
            self.list.addItem(it)
        row = next((i for i, w in enumerate(items) if w.shot.id == keep), 0)
        if items:
            self.list.setCurrentRow(row)
        self._refresh_summary()
        self._on_current()

    def show_recovery(self, result: RecoveryResult | None) -> None:
        self._recovery = result
        if result is not None and result.recorded:
            self.found = result.recorded
        self.problems.clear()
        problems = [p for p in (result.problems if result else ()) if p.problem != "moved"]
        moved = [p for p in (result.problems if result else ()) if p.problem == "moved"]
        for p in problems + moved:
            it = QListWidgetItem(p.text())
            if p.problem == "moved":
                it.setForeground(Qt.GlobalColor.darkGray)
            self.problems.addItem(it)
        checked = (self.tr("已核对校验值") if result is not None and result.verified
                   else self.tr("正在核对校验值…"))
        self.problems_label.setText(self.tr("文件问题 ({n}) · {checked}").format(n=len(problems), checked=checked))
        self.problems.setVisible(bool(problems or moved))
        self._refresh_summary()

    def _refresh_summary(self) -> None:
        n = len(self.items)
        lines = [self.tr("{n} 张照片还没有归属学生: 选中一张, 分配给学生或移出列表。").format(n=n) if n
                 else self.tr("没有待分配的照片。")]
        if self.found:
            lines.append(self.tr("启动时在照片文件夹中找回 {n} 张数据库中没有记录的照片 (程序曾在保存后、登记前中断)。")
                         .format(n=self.found))
        self.summary.setText("\n".join(lines))

    def _item_text(self, w: WaitingShot) -> str:
        source = {"recovered": self.tr("找回"), "button": self.tr("相机按钮")}.get(w.shot.source, w.shot.source)
        text = f"{w.shot.taken_at:%m-%d %H:%M}\n{source}"
        if not w.file_ok:
            text += "\n" + self.tr("文件不见了")
        elif w.suggestion is not None:
            text += "\n" + w.suggestion.name
        return text

    def _on_thumbnail(self, shot_id: int, image: QImage) -> None:
        if not any(w.shot.id == shot_id for w in self.items):
            return  # one of the main window's thumbnails
        self._previews[shot_id] = image
        for i in range(self.list.count()):
            it = self.list.item(i)
            if int(it.data(Qt.ItemDataRole.UserRole)) == shot_id:
                it.setData(IMAGE_ROLE, fit_image(image, THUMB))
        if self.current_shot_id() == shot_id:
            self._show_preview(shot_id)

    def _show_preview(self, shot_id: int | None) -> None:
        img = self._previews.get(shot_id) if shot_id is not None else None
        if img is None:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(self.tr("无预览") if shot_id is not None else "")
        else:
            self.preview.setPixmap(QPixmap.fromImage(fit_image(img, PREVIEW)))

    def current(self) -> WaitingShot | None:
        sid = self.current_shot_id()
        return next((w for w in self.items if w.shot.id == sid), None)

    def current_shot_id(self) -> int | None:
        it = self.list.currentItem()
        return int(it.data(Qt.ItemDataRole.UserRole)) if it is not None else None

    def _on_current(self) -> None:
        w = self.current()
        self._show_preview(w.shot.id if w else None)
        if w is None:
            self.details.setText("")
        else:
            verdict = {"pass": self.tr("合格"), "warn": self.tr("合格 (有提醒)"), "fail": self.tr("不合格"),
                       "error": self.tr("无法检查")}.get(w.shot.qc_verdict or "", self.tr("未检查 (分配时检查)"))
            self.details.setText(self.tr("拍摄时间 {when}\n检查: {verdict}\n{path}").format(
                when=f"{w.shot.taken_at:%Y-%m-%d %H:%M:%S}", verdict=verdict, path=w.shot.path))
        s = w.suggestion if w else None
        self.suggest_button.setVisible(s is not None)
        if s is not None:
            self.suggest_button.setText(self.tr("分配给文件名中的学生: {name} {no} {klass}").format(
                name=s.name, no=s.student_no, klass=s.class_name))
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        w = self.current()
        usable = w is not None and w.file_ok
        self.assign_button.setEnabled(usable and self.candidates.current_id() is not None)
        self.suggest_button.setEnabled(usable)
        self.discard_button.setEnabled(w is not None)

    # --- actions --------------------------------------------------------------------------

    def _do_search(self) -> None:
        text = self.search.text().strip()
        if text:
            self.ctl.search(text)
        else:
            self.candidates.hide()
            self._refresh_buttons()

    def _on_candidates(self, query: str, cards) -> None:
        if query == self.search.text().strip():
            self.candidates.show_cards(cards)
            self._refresh_buttons()

    def assign_chosen(self) -> None:
        w, sid = self.current(), self.candidates.current_id()
        if w is None or sid is None:
            return
        self._assign(w, sid)

    def assign_suggested(self) -> None:
        w = self.current()
        if w is not None and w.suggestion is not None:
            self._assign(w, w.suggestion.id)

    def _assign(self, w: WaitingShot, student_id: int) -> None:
        self.assign_button.setEnabled(False)
        self.suggest_button.setEnabled(False)
        self.status.setText(self.tr("正在分配并检查照片…"))
        self.ctl.assign(w.shot.id, student_id, self.select_box.isChecked())

    def discard_current(self) -> None:
        w = self.current()
        if w is None:
            return
        self.discard_button.setEnabled(False)
        self.ctl.discard(w.shot.id, self.discard_note.text())

    def _on_assigned(self, result) -> None:
        who = f"{result.student.name} {result.student.student_no}"
        if result.selected:
            text = self.tr("已分配给 {who}, 并设为选用照片").format(who=who)
        else:
            text = self.tr("已分配给 {who}").format(who=who) + (f": {result.note}" if result.note else "")
        self.status.setStyleSheet("color:#15803d;" if result.selected else "color:#b45309;")
        self.status.setText(text)
        self.search.clear()
        self.candidates.hide()

    def _on_discarded(self, shot) -> None:
        self.status.setStyleSheet("color:#1d3b66;")
        self.status.setText(self.tr("已移出列表, 文件保留: {path}").format(path=shot.path))
        self.discard_note.clear()

    def _on_failed(self, action: str, exc) -> None:
        if action in ("assign", "discard", "waiting"):
            self.status.setStyleSheet("color:#b91c1c;")
            self.status.setText(getattr(exc, "message", None) or str(exc))
            self._refresh_buttons()

    def keyPressEvent(self, ev) -> None:
        if ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter in the search field assigns (its own signal); it never closes the list
        super().keyPressEvent(ev)

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self.refresh()
