"""The photographer's window's dialogs, opened by the photographer (never by an event).

Mixed into :class:`ui.main_window.MainWindow`: the unlisted student (F2), the
data problem (F3), the settings (Ctrl+,; read and saved through
``app.window_services.SettingsService`` on the worker pool, the supervisor's PIN
first). Its strings are translated under the window's class names.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QDialog

from app.i18n import set_language
from app.window_services import SettingsService
from ui.dialogs import DataIssueDialog, UnlistedDialog
from ui.pin_dialog import authorize
from ui.qt_app import install_translator
from ui.settings_dialog import SettingsDialog


class WindowDialogs:
    """The dialogs of the photographer's window (see the module's docstring)."""

    def add_unlisted(self) -> None:
        college, class_name = self.ctl.workflow.last_group
        if self.card is not None:
            college, class_name = self.card.college, self.card.class_name
        dlg = UnlistedDialog(getattr(self, "_unknown_code", ""), self, class_name=class_name or "",
                             college=college or "")
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.ctl.add_unlisted(dlg.values())
        self.input.setFocus()

    def report_issue(self) -> None:
        if self.card is None:
            self.say(self.tr("请先扫描学生"), "warn")
            return
        dlg = DataIssueDialog(self.card.name, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.ctl.report_issue({**dlg.values(), "student_id": self.card.id})
        self.input.setFocus()

    def open_settings(self) -> None:
        self.ctl.run("settings_loaded", SettingsService(self.ctl.workflow.db).all)

    def _edit_settings(self, values: dict) -> None:
        dlg = SettingsDialog(values, parent=self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.changes():
            if authorize(self, self.ctl.workflow.db, "settings"):
                self.ctl.apply_settings(dlg.changes())
        self.input.setFocus()

    def _settings_saved(self, changes: dict) -> None:
        if "language" in changes:
            set_language(changes["language"])
            install_translator(QApplication.instance(), changes["language"])  # LanguageChange → retranslate
        self.ctl.refresh_throughput()
        self.say(self.tr("设置已保存"), "ok")
