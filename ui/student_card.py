"""The student card (who is in front of the camera) and the search candidates."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from app.workflow import StudentCard

STATUS_STYLE = {
    "new": "background:#e6f4ea;color:#14532d;",
    "done": "background:#fff1d6;color:#7a4a00;",
    "confirm": "background:#ffe2b8;color:#7a3300;font-weight:bold;",
    "problem": "background:#fde2e2;color:#8a1c1c;",
    "info": "background:#e7eef8;color:#1d3b66;",
}


class StudentCardView(QFrame):
    report_issue = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.card: StudentCard | None = None
        lay = QVBoxLayout(self)
        self.name = QLabel()
        self.name.setStyleSheet("font-size:30px;font-weight:bold;")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        lay.addWidget(self.name)
        grid = QGridLayout()
        self._caption_labels: list[tuple[QLabel, str]] = []
        self.fields: dict[str, QLabel] = {}
        for row, key in enumerate(("school", "student_no", "id_masked", "exam_no", "major", "class_name", "college")):
            cap, val = QLabel(), QLabel()
            cap.setStyleSheet("color:#666;")
            val.setStyleSheet("font-size:16px;")
            val.setWordWrap(True)
            grid.addWidget(cap, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(val, row, 1)
            self._caption_labels.append((cap, key))
            self.fields[key] = val
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setMargin(8)
        lay.addWidget(self.status)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(STATUS_STYLE["problem"])
        self.problems.setMargin(6)
        lay.addWidget(self.problems)
        self.issue_button = QPushButton()
        self.issue_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.issue_button.clicked.connect(self.report_issue)
        lay.addWidget(self.issue_button)
        lay.addStretch(1)
        self.retranslate()
        self.show_card(None)

    def retranslate(self) -> None:
        captions = {
            "school": self.tr("学校"),
            "student_no": self.tr("学号"),
            "id_masked": self.tr("身份证号"),
            "exam_no": self.tr("考生号"),
            "major": self.tr("专业"),
            "class_name": self.tr("班级"),
            "college": self.tr("学院"),
        }
        for cap, key in self._caption_labels:
            cap.setText(captions[key])
        self.issue_button.setText(self.tr("报告信息错误 (F3)"))
        self.show_card(self.card, getattr(self, "_needs_confirmation", False))

    def show_card(self, card: StudentCard | None, needs_confirmation: bool = False) -> None:
        self.card = card
        self._needs_confirmation = needs_confirmation
        self.issue_button.setEnabled(card is not None)
        if card is None:
            self.name.setText(self.tr("等待扫描"))
            for v in self.fields.values():
                v.setText("—")
            self._status(self.tr("请扫描身份证或学生证, 或输入学号、姓名、拼音首字母"), "info")
            self.problems.hide()
            return
        gender = f"  ({card.gender})" if card.gender else ""
        self.name.setText(card.name + gender)
        values = {
            "school": card.school,
            "student_no": card.student_no,
            "id_masked": card.id_masked,
            "exam_no": card.exam_no,
            "major": card.major,
            "class_name": card.class_name,
            "college": card.college,
        }
        for key, val in values.items():
            self.fields[key].setText(val or "—")
        if card.photographed:
            when = card.photographed_at.strftime("%H:%M") if card.photographed_at else ""
            text = self.tr("已拍摄: {when}, 共 {n} 张, {station}").format(
                when=when, n=card.shots, station=card.photographed_station or "")
            if needs_confirmation:
                text += "\n" + self.tr("再拍一张请按回车确认, 按 Esc 取消")
                self._status(text, "confirm")
            else:
                self._status(text, "done")
        elif card.shots:
            self._status(self.tr("已拍 {n} 张, 尚未选定").format(n=card.shots), "done")
        else:
            self._status(self.tr("未拍摄"), "new")
        notes = []
        if card.unlisted:
            notes.append(self.tr("名单外学生 (将列入勘误表)"))
        if card.absent:
            notes.append(self.tr("曾登记为缺拍, 拍摄后自动撤销"))
        if card.problems or card.has_error:
            notes.append(self.tr("名单问题: ") + "; ".join(card.problems or (self.tr("见名单检查报告"),)))
        self.problems.setText("\n".join(notes))
        self.problems.setVisible(bool(notes))

    def _status(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(STATUS_STYLE[style])


class CandidateList(QListWidget):
    """Search results under the field; Up/Down in the field move the highlight, Enter picks."""

    picked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.itemClicked.connect(lambda it: self.picked.emit(int(it.data(Qt.ItemDataRole.UserRole))))

    def show_cards(self, cards: list[StudentCard] | tuple[StudentCard, ...]) -> None:
        self.clear()
        several = len({c.school for c in cards}) > 1  # schools number independently: say whose student this is
        for c in cards:
            mark = "✓ " if c.photographed else ""
            text = f"{mark}{c.name}  {c.student_no}  {c.id_masked}  {c.class_name}" + (f"  {c.school}" if several else "")
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, c.id)
            self.addItem(it)
        if cards:
            self.setCurrentRow(0)
        self.setVisible(bool(cards))

    def move(self, step: int) -> None:
        if self.count():
            self.setCurrentRow(max(0, min(self.count() - 1, self.currentRow() + step)))

    def current_id(self) -> int | None:
        it = self.currentItem()
        return int(it.data(Qt.ItemDataRole.UserRole)) if it is not None and self.isVisible() else None


class Banner(QLabel):
    """A non-blocking bar across the top: camera gone, disk low, ... (never a modal dialog)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setMargin(10)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_text(self, text: str, level: str = "error") -> None:
        color = {"error": "#b91c1c", "warn": "#b45309", "info": "#1d4ed8"}[level]
        size = 17 if level == "info" else 20  # a notice, not an alarm
        self.setStyleSheet(f"background:{color};color:white;font-size:{size}px;font-weight:bold;")
        self.setText(text)
        self.show()


class RecentList(QListWidget):
    """The students finished lately on this station; a click re-opens one (to re-select a shot)."""

    picked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.itemClicked.connect(lambda it: self.picked.emit(int(it.data(Qt.ItemDataRole.UserRole))))

    def show_items(self, items) -> None:
        self.clear()
        colors = {"pass": "#15803d", "warn": "#b45309", "fail": "#b91c1c", "error": "#b91c1c"}
        for r in items:
            mark = "✓" if r.verdict in ("pass", "warn") else "!"
            it = QListWidgetItem(f"{r.selected_at:%H:%M}  {mark}  {r.name}  {r.class_name}")
            it.setData(Qt.ItemDataRole.UserRole, r.student_id)
            it.setForeground(QColor(colors.get(r.verdict or "", "#555555")))
            if r.override_reason:
                it.setToolTip(r.override_reason)
            self.addItem(it)
