"""The supervisor's PIN in the window (app/roles.py): asked before a guarded action, set at first start.

``authorize(parent, db, action)`` returns True when the action may run: no
PIN is set yet, or the supervisor typed it (the authorisation is audited).
``ask_first_pin(parent, db)`` offers to set the PIN when none is set (the
first start of a real station; the demo does not ask).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from app.errors import PermissionDenied
from app.i18n import t
from app.roles import MIN_LEN, SUPERVISED
from app.window_services import RolesService


class PinDialog(QDialog):
    """One hidden PIN field (``confirm``: a second one, for setting a new PIN)."""

    def __init__(self, text: str, parent=None, *, confirm: bool = False):
        super().__init__(parent)
        self.setWindowTitle(self.tr("主管 PIN"))
        lay = QVBoxLayout(self)
        label = QLabel(text)
        label.setWordWrap(True)
        lay.addWidget(label)
        form = QFormLayout()
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("PIN"), self.pin_edit)
        self.again_edit = None
        if confirm:
            self.again_edit = QLineEdit()
            self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(self.tr("再输入一次"), self.again_edit)
        lay.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.pin_edit.setFocus()

    def pin(self) -> str:
        return self.pin_edit.text().strip()

    def _ok(self) -> None:
        if self.again_edit is not None:
            if len(self.pin()) < MIN_LEN:
                self.error.setText(self.tr("PIN 至少 %n 位", "", MIN_LEN))
                return
            if self.again_edit.text().strip() != self.pin():
                self.error.setText(self.tr("两次输入的 PIN 不一致"))
                return
        self.accept()


def authorize(parent, db, action: str) -> bool:
    """True if ``action`` (app.roles.SUPERVISED) may run now; asks for the PIN when one is set."""
    service = RolesService(db)
    if service.allow_without_pin(action):
        return True
    what = t(*SUPERVISED[action])
    dlg = PinDialog(parent.tr("%1需要主管 PIN").replace("%1", what) if parent else what, parent)
    while dlg.exec() == QDialog.DialogCode.Accepted:
        try:
            service.authorize(action, dlg.pin())
        except PermissionDenied as exc:
            zh, _, en = exc.message.partition(" / ")
            dlg.error.setText(t(zh, en or zh))
            dlg.pin_edit.clear()
            continue
        return True
    return False


def ask_first_pin(parent, db) -> bool:
    """At the first start: set the supervisor's PIN (True if one is set now)."""
    service = RolesService(db)
    if service.pin_is_set():
        return True
    dlg = PinDialog(
        QDialog.tr("首次启动: 请设置机位主管 PIN。导出、导入名单、删除数据、修改设置和接受不合格照片都需要它。"),
        parent, confirm=True,
    )
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return False
    service.set_first_pin(dlg.pin())
    return True
