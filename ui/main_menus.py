"""The photographer's window's menus and the windows they open.

名单 (import a roster), 照片 (the photos waiting for a student), 报表
(reconciliation, errata form, photo delivery), 窗口 (the marshal's window,
settings). Every window opened here is not modal: the queue at the camera
goes on behind it, and a job keeps running when its window is closed (the
main window says when it is done). The start-up check's findings appear in
a notice under the camera banner, with a link to the list.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from app.i18n import language
from app.workflow import RecoveryResult
from ui.jobs import ReportDialog, RosterImportDialog
from ui.marshal_window import MarshalWindow
from ui.qt_app import install_catalogue
from ui.waiting_panel import WaitingPanel

MENU_KEYS = {
    "roster": ("roster_import",),
    "photos": ("waiting",),
    "reports": ("reconcile", "errata", "delivery"),
    "window": ("marshal", "settings"),
}
SHORTCUTS = {"waiting": "F6", "marshal": "F7", "settings": "Ctrl+,"}


class StationMenus(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.ctl = window.ctl
        self.recovery = None  # the latest app.workflow.RecoveryResult
        self.found = 0  # photos the start-up check found and recorded
        self.waiting = 0
        self.pending: list = []  # students photographed with nothing accepted (已拍未确认)
        self.dialogs: dict[str, object] = {}
        self.marshal = None
        self.menus = {}
        self.actions: dict[str, QAction] = {}
        bar = window.menuBar()
        handlers = {
            "roster_import": self.open_roster_import,
            "waiting": self.open_waiting,
            "reconcile": lambda: self.open_report("reconcile"),
            "errata": lambda: self.open_report("errata"),
            "delivery": lambda: self.open_report("delivery"),
            "marshal": self.open_marshal,
            "settings": window.open_settings,
        }
        for menu_key, keys in MENU_KEYS.items():
            menu = bar.addMenu("")
            self.menus[menu_key] = menu
            for key in keys:
                action = QAction(window)
                action.triggered.connect(handlers[key])
                if key in SHORTCUTS:
                    action.setShortcut(QKeySequence(SHORTCUTS[key]))
                menu.addAction(action)
                self.actions[key] = action
        self.ctl.recovery.connect(self._on_recovery)
        self.ctl.waiting_count.connect(self._on_waiting_count)
        window.notice.linkActivated.connect(self._on_link)
        self.retranslate()

    def retranslate(self) -> None:
        titles = {"roster": self.tr("名单(&L)"), "photos": self.tr("照片(&P)"), "reports": self.tr("报表(&R)"),
                  "window": self.tr("窗口(&W)")}
        for key, menu in self.menus.items():
            menu.setTitle(titles[key])
        texts = {
            "roster_import": self.tr("导入名单…"),
            "waiting": self.tr("待分配照片 ({n})…").format(n=self.waiting),
            "reconcile": self.tr("对账表 (本半天 / 全天)…"),
            "errata": self.tr("勘误表…"),
            "delivery": self.tr("照片交付导出…"),
            "marshal": self.tr("排队管理窗口"),
            "settings": self.tr("设置…"),
        }
        for key, text in texts.items():
            self.actions[key].setText(text)
        self._show_notice()

    # --- the start-up check's notice -------------------------------------------------------

    def _on_recovery(self, result) -> None:
        if result.recorded:
            self.found = result.recorded
        self.recovery = result
        self.waiting = result.waiting
        self.retranslate()

    def _on_waiting_count(self, n: int) -> None:
        if n != self.waiting:
            self.waiting = n
            self.retranslate()

    def show_pending(self, cards: list) -> None:
        """The students photographed with nothing accepted: offered to finish, one click each."""
        self.pending = list(cards)
        self._show_notice()

    def _pending_text(self) -> str:
        if not self.pending:
            return ""
        names = " ".join(f'<a href="pending:{c.id}" style="color:white;">{c.name}</a>' for c in self.pending[:6])
        more = " …" if len(self.pending) > 6 else ""
        return self.tr("已拍未确认 {n} 人 (点击姓名继续确认): ").format(n=len(self.pending)) + names + more

    def _show_notice(self) -> None:
        rec = self.recovery
        pending = self._pending_text()
        if rec is None and not self.waiting and not pending:
            self.win.notice.hide()
            return
        if rec is None and not self.waiting:
            self.win.notice.show_text(
                f'{pending} &nbsp; <a href="hide" style="color:white;text-decoration:none;">✕</a>', "info")
            return
        if rec is None:
            rec = RecoveryResult(folder="")
        rec = dataclasses.replace(rec, waiting=self.waiting, recorded=0)  # the count as it is now
        if not rec.needs_attention:
            if pending:
                self.win.notice.show_text(
                    f'{pending} &nbsp; <a href="hide" style="color:white;text-decoration:none;">✕</a>', "info")
            else:
                self.win.notice.hide()
            return
        link = self.tr("查看 (F6)")
        self.win.notice.show_text(
            f'{rec.summary()} &nbsp; <a href="waiting" style="color:white;">{link}</a>'
            + (f'<br>{pending}' if pending else '')
            + ' &nbsp; <a href="hide" style="color:white;text-decoration:none;">✕</a>', "info")

    def _on_link(self, href: str) -> None:
        if href.startswith("pending:"):
            self.win._choose(int(href.split(":", 1)[1]))
        elif href == "waiting":
            self.open_waiting()
        else:
            self.win.notice.hide()
        self.win.input.setFocus()

    # --- the windows ------------------------------------------------------------------------------

    def _open(self, key: str, make):
        dlg = self.dialogs.get(key)
        if dlg is None:
            dlg = make()
            self.dialogs[key] = dlg
            if hasattr(dlg, "job_done"):
                dlg.job_done.connect(lambda result, d=dlg: self._job_done(d, result))
        dlg.show()
        dlg.raise_()
        dlg.activateWindow()
        return dlg

    def open_waiting(self):
        panel = self._open("waiting", lambda: WaitingPanel(self.ctl, self.win))
        panel.found = max(panel.found, self.found)
        panel.show_recovery(self.recovery)
        return panel

    def open_report(self, kind: str):
        return self._open(kind, lambda: ReportDialog(self.ctl, kind, self.win))

    def open_roster_import(self):
        def make():
            dlg = RosterImportDialog(self.ctl, self.win)
            dlg.roster_imported.connect(self.win.refresh_title)  # the school being shot may have changed
            return dlg

        return self._open("roster_import", make)

    def _job_done(self, dialog, result) -> None:
        if not dialog.isVisible():  # closed while it ran: say so in the main window
            self.win.say(self.tr("{title}已完成: {path}").format(title=result.title, path=result.path or ""),
                         "ok" if result.ok else "warn")

    def open_marshal(self):
        """The marshal engineer's window, on this station's database (a second screen, usually)."""
        if self.marshal is None:
            app = QApplication.instance()
            if language() == "en":  # the marshal window's own English catalogue (ui/qt_app.install_catalogue)
                install_catalogue(app, "marshal", "en")
            self.marshal = MarshalWindow(self.ctl.workflow.db)
            self.marshal.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.marshal.destroyed.connect(lambda *_: setattr(self, "marshal", None))
        self.marshal.show()
        self.marshal.raise_()
        self.marshal.activateWindow()
        return self.marshal

    def running_jobs(self) -> list[str]:
        """The titles of the job windows whose job is still running."""
        return [d.windowTitle() for d in self.dialogs.values() if getattr(d, "running", False)]

    def close_all(self) -> None:
        for dlg in self.dialogs.values():
            dlg.close()
        if self.marshal is not None:
            self.marshal.close()
