"""The marshal's form: the reason for an absence."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from app.roll_call import board as marshal
from app.i18n import language
from app.models import ABSENCE_REASONS


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


