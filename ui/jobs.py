"""The menus' long jobs: the reports (reconciliation, errata form, photo delivery) and the roster import.

Each is a small window that is not modal (the queue goes on behind it): it
asks where to write and for an optional password, runs the job in the
controller's low-priority pool with progress, and shows what the command
line would print, with a button to open the result. The work itself is
``app.station_jobs`` (headless, shared with scripts and tests).
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import station_jobs
from app.crypto import check_password
from app.errors import InputError
from app.export import ExportCancelled
from ui import file_dialogs as fd  # Qt's own dialog: translated with the window
from ui.conflicts import ConflictsDialog
from ui.pin_dialog import authorize
from ui.workers import Progress

OK_STYLE = "color:#15803d;font-weight:bold;"
WARN_STYLE = "color:#b45309;font-weight:bold;"
ERROR_STYLE = "color:#b91c1c;font-weight:bold;"


class PathField(QWidget):
    """A path typed or chosen: ``mode`` is "save" (a file to write), "open" (a file to read) or "dir"."""

    def __init__(self, mode: str, file_filter: str = "", parent=None):
        super().__init__(parent)
        self.mode, self.filter = mode, file_filter
        self.edited = False  # typed or chosen by the user: suggestions no longer replace it
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.edit = QLineEdit()
        self.edit.setMinimumWidth(420)
        self.edit.textEdited.connect(lambda _t: setattr(self, "edited", True))
        self.browse = QPushButton(self.tr("浏览…"))
        self.browse.clicked.connect(self._choose)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.browse)

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text).expanduser() if text else None

    def set_path(self, path: Path | str, *, user: bool = False) -> None:
        if user or not self.edited:
            self.edit.setText(str(path))
            self.edited = self.edited or user

    def suggest(self, path: Path | str) -> None:
        self.set_path(path)

    def _choose(self) -> None:
        start = self.edit.text().strip()
        if self.mode == "dir":
            chosen = fd.existing_directory(self, self.tr("选择文件夹"), str(Path(start).parent if start else ""))
        elif self.mode == "open":
            chosen = fd.open_file(self, self.tr("选择文件"), start, self.filter)
        else:
            chosen = fd.save_file(self, self.tr("保存为"), start, self.filter)
        if chosen:
            self.set_path(chosen, user=True)


class JobDialog(QDialog):
    """Options → Start → progress → the result. Subclasses add fields and say which job to run."""

    job_done = Signal(object)  # app.station_jobs.JobResult
    job_failed = Signal(object)  # the exception

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.ctl = controller
        self.setModal(False)
        self.result = None
        self.error = None
        self.running = False
        lay = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        self.form = QFormLayout()
        lay.addLayout(self.form)
        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        lay.addWidget(self.progress_bar)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setMinimumHeight(150)
        self.output.hide()
        lay.addWidget(self.output, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.start_button = QPushButton()
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_result)
        self.open_button.hide()
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.setToolTip(self.tr("在当前学生之后停止; 已写入的文件保留, 再次导出从这里继续"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.cancel_event = threading.Event()
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.close)
        for b in (self.start_button, self.cancel_button, self.open_button, self.close_button):
            row.addWidget(b)
        lay.addLayout(row)
        self.progress = Progress(self)
        self.progress.changed.connect(self._on_progress)
        self.resize(720, 460)

    # --- for the subclasses ------------------------------------------------------------

    def job(self) -> tuple:
        """(function, args, kwargs) to run, or raise ValueError(message) when the form is not right."""
        raise NotImplementedError

    def inputs(self) -> list[QWidget]:
        return []

    def progress_text(self, values: tuple) -> str:
        done, total = values[-2], values[-1]
        return self.tr("{done} / {total}").format(done=done, total=total)

    def keyPressEvent(self, ev) -> None:
        # Enter starts the job (QDialog's own handling would close the window as "accepted").
        if ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.start()
            return
        super().keyPressEvent(ev)

    # --- running -----------------------------------------------------------------------------

    cancellable = False  # the job takes a ``cancel`` event (the delivery)
    supervised: str | None = None  # app.roles.SUPERVISED action that needs the supervisor's PIN

    def start(self) -> None:
        if self.running:
            return
        if self.supervised:  # exports and imports of personal data: the supervisor's PIN (app/roles.py)
            if not authorize(self, self.ctl.workflow.db, self.supervised):
                return
        self.cancel_event = threading.Event()
        try:
            fn, args, kwargs = self.job()
        except ValueError as exc:
            self._say(str(exc), ERROR_STYLE)
            return
        self.running = True
        self.result = self.error = None
        for w in self.inputs():
            w.setEnabled(False)
        self.start_button.setEnabled(False)
        self.open_button.hide()
        self.output.hide()
        self.progress_bar.setRange(0, 0)  # busy until the job reports a count
        self.progress_bar.show()
        self._say(self.tr("正在进行… (可以继续拍摄)"), "")
        if self.cancellable:
            self.cancel_button.setEnabled(True)
            self.cancel_button.show()
        self.ctl.jobs.submit(fn, *args, **kwargs, on_done=self._done, on_error=self._failed)

    def cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.cancel_button.setEnabled(False)
            self._say(self.tr("正在停止 (当前学生写完为止)…"), WARN_STYLE)

    def _on_progress(self, values: tuple) -> None:
        if not self.running:
            return
        done, total = values[-2], values[-1]
        if total:
            self.progress_bar.setRange(0, int(total))
            self.progress_bar.setValue(int(done))
        self._say(self.progress_text(values), "")

    def _finish(self) -> None:
        self.running = False
        for w in self.inputs():
            w.setEnabled(True)
        self.start_button.setEnabled(True)
        self.progress_bar.hide()
        self.cancel_button.hide()

    def _done(self, result) -> None:
        self._finish()
        self.result = result
        self.output.setPlainText(result.text())
        self.output.show()
        self._say(self.tr("完成") if result.ok else self.tr("完成, 但有未导出的项目 (见下)"),
                  OK_STYLE if result.ok else WARN_STYLE)
        target = self.open_target()
        self.open_button.setVisible(target is not None and target.exists())
        self.job_done.emit(result)

    def _failed(self, exc) -> None:
        self._finish()
        self.error = exc
        self._say(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}",
                  WARN_STYLE if isinstance(exc, ExportCancelled) else ERROR_STYLE)
        self.job_failed.emit(exc)

    def open_target(self) -> Path | None:
        """What "open" shows: the written file, or the folder of a delivery."""
        return self.result.path if self.result is not None else None

    def open_result(self) -> None:
        target = self.open_target()
        if target is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def _say(self, text: str, style: str) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)


class PasswordFields:
    """An optional export password, typed twice (a mistyped one would lock the school out)."""

    def __init__(self, dialog: JobDialog):
        self.first, self.second = QLineEdit(), QLineEdit()
        for e in (self.first, self.second):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setPlaceholderText(QCoreApplication.translate("PasswordFields", "不加密请留空; 至少 6 位"))
        dialog.form.addRow(QCoreApplication.translate("PasswordFields", "密码 (可选)"), self.first)
        dialog.form.addRow(QCoreApplication.translate("PasswordFields", "再次输入密码"), self.second)
        self.dialog = dialog

    def value(self) -> str | None:
        a, b = self.first.text(), self.second.text()
        if not a and not b:
            return None
        if a != b:
            raise ValueError(QCoreApplication.translate("PasswordFields", "两次输入的密码不一致"))
        try:
            return check_password(a)
        except InputError as exc:
            raise ValueError(exc.message) from None

    def widgets(self) -> list[QWidget]:
        return [self.first, self.second]


# --- the reports ----------------------------------------------------------------------------------


class ReportDialog(JobDialog):
    """``kind``: "reconcile" (对账表), "errata" (勘误表) or "delivery" (照片交付)."""

    supervised = "export"

    PERIODS = ("half", "morning", "afternoon", "day")

    def __init__(self, controller, kind: str, parent=None):
        super().__init__(controller, parent)
        self.kind = kind
        self.folder = station_jobs.reports_folder(controller.workflow.capture_folder)
        self.period = self.day = None
        if kind == "reconcile":
            self.setWindowTitle(self.tr("对账表"))
            self.intro.setText(self.tr("按学院、班级、机位统计已拍、未拍和缺席原因, 列出未拍学生; 与签字表核对。"))
            self.period = QComboBox()
            for key, text in zip(self.PERIODS, (self.tr("本半天"), self.tr("上午"), self.tr("下午"), self.tr("全天"))):
                self.period.addItem(text, key)
            self.day = QDateEdit(QDate.currentDate())
            self.day.setCalendarPopup(True)
            self.day.setDisplayFormat("yyyy-MM-dd")
            self.form.addRow(self.tr("时段"), self.period)
            self.form.addRow(self.tr("日期"), self.day)
            self.period.currentIndexChanged.connect(lambda _i: self._suggest())
            self.day.dateChanged.connect(lambda _d: self._suggest())
            self.out = PathField("save", self.tr("Excel 工作簿 (*.xlsx)"))
            self.form.addRow(self.tr("保存到"), self.out)
        elif kind == "errata":
            self.setWindowTitle(self.tr("勘误表"))
            self.intro.setText(self.tr("附件3 电子图像采集及勘误反馈表: 现场报告的信息错误、名单外学生和名单中有错误的行。"))
            self.out = PathField("save", self.tr("Excel 工作簿 (*.xlsx)"))
            self.form.addRow(self.tr("保存到"), self.out)
        elif kind == "delivery":
            self.cancellable = True
            self.setWindowTitle(self.tr("照片交付导出"))
            self.intro.setText(self.tr("每位已选定照片的学生: 原片和 480×640 标准照 (以身份证号命名), 按学校/学院/班级分文件夹, "
                                       "附清单和校对单。再次导出只补写缺少或变化的文件。设置密码则输出 AES 加密压缩包。"))
            self.out = PathField("dir")
            self.form.addRow(self.tr("输出文件夹"), self.out)
        else:
            raise ValueError(kind)
        self.password = PasswordFields(self)
        self.start_button.setText({"reconcile": self.tr("生成对账表"), "errata": self.tr("生成勘误表"),
                                   "delivery": self.tr("开始导出")}[kind])
        self.open_button.setText(self.tr("打开文件夹") if kind == "delivery" else self.tr("打开文件"))
        self._suggest()

    def inputs(self) -> list[QWidget]:
        return [w for w in (self.period, self.day, self.out) if w is not None] + self.password.widgets()

    def selected_day(self) -> date:
        d = self.day.date() if self.day is not None else QDate.currentDate()
        return date(d.year(), d.month(), d.day())

    def _suggest(self) -> None:
        key = self.kind if self.kind != "reconcile" else f"reconcile:{self.period.currentData()}"
        self._asked = getattr(self, "_asked", 0) + 1
        asked = self._asked

        def done(paths) -> None:
            if asked == self._asked:  # an answer to an earlier choice that arrives late is not the one wanted
                self.out.suggest(paths[key])

        self.ctl.runner.submit(station_jobs.suggested_outputs, self.ctl.workflow.db, self.folder,
                               today=self.selected_day(), on_done=done)

    def job(self) -> tuple:
        out = self.out.path()
        if out is None:
            raise ValueError(self.tr("请选择保存位置"))
        password = self.password.value()
        db = self.ctl.workflow.db
        if self.kind == "reconcile":
            return station_jobs.reconcile, (db, out), {"period": self.period.currentData(),
                                                       "day": self.selected_day(), "password": password}
        if self.kind == "errata":
            return station_jobs.errata, (db, out), {"password": password}
        return station_jobs.deliver, (db, out), {"password": password, "progress": self.progress,
                                                  "cancel": self.cancel_event}

    def progress_text(self, values: tuple) -> str:
        return self.tr("已处理 {done} / {total} 人").format(done=values[-2], total=values[-1])

    def _done(self, result) -> None:
        super()._done(result)
        if self.kind == "delivery" and (result.counts or {}).get("conflicts") and result.path is None:
            # nothing was delivered: merge conflicts wait for a decision; the list decides them here
            self._say(result.lines[0], WARN_STYLE)
            self.conflicts_dialog = ConflictsDialog(self.ctl, self)
            self.conflicts_dialog.show()

    def open_target(self) -> Path | None:
        path = super().open_target()
        if path is not None and self.kind == "delivery" and path.is_file():  # the encrypted zip
            return path.parent
        return path


# --- the roster ----------------------------------------------------------------------------------


class RosterImportDialog(JobDialog):
    """A new station's first step: the school's roster file into the database, its problems in a report."""

    supervised = "roster_import"

    roster_imported = Signal(object)

    def __init__(self, controller, parent=None):
        super().__init__(controller, parent)
        self.setWindowTitle(self.tr("导入名单"))
        self.intro.setText(self.tr("学校发来的学生名单 (xlsx / xls / csv)。再次导入更正后的名单会更新同一批学生, 不会重复, "
                                   "也不会删除任何人。每一行的问题都写入问题报告。"))
        self.file = PathField("open", self.tr("名单 (*.xlsx *.xls *.csv);;所有文件 (*)"))
        self.form.addRow(self.tr("名单文件"), self.file)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel(self.tr("名单密码"))
        self.form.addRow(self.password_label, self.password)
        self._show_password(False)
        self.start_button.setText(self.tr("导入"))
        self.open_button.setText(self.tr("打开问题报告"))
        self.report_dir = station_jobs.reports_folder(controller.workflow.capture_folder)

    def _show_password(self, on: bool) -> None:
        self.asking_password = on
        self.password.setVisible(on)
        self.password_label.setVisible(on)

    def inputs(self) -> list[QWidget]:
        return [self.file, self.password]

    def job(self) -> tuple:
        path = self.file.path()
        if path is None:
            raise ValueError(self.tr("请选择名单文件"))
        if not path.is_file():
            raise ValueError(self.tr("找不到文件: {path}").format(path=path))
        password = self.password.text() if self.asking_password and self.password.text() else None
        replace = getattr(self, "confirmed_file", None) == path  # the removals were shown for this file and confirmed
        self.confirmed_file = None
        return station_jobs.import_roster, (self.ctl.workflow.db, path), {
            "password": password, "report_dir": self.report_dir, "progress": self.progress, "replace": replace}

    def progress_text(self, values: tuple) -> str:
        stage, done, total = values
        return {
            "read": self.tr("读取名单…"),
            "check": self.tr("检查 {total} 行…"),
            "write": self.tr("写入数据库 {total} 行…"),
            "done": self.tr("完成"),
        }.get(stage, stage).format(done=done, total=total)

    def _on_progress(self, values: tuple) -> None:
        if values and values[0] in ("read", "check"):
            values = (values[0], 0, 0)  # no count while reading and checking: keep the bar busy
        super()._on_progress(values)

    def _failed(self, exc) -> None:
        if isinstance(exc, station_jobs.PasswordNeeded):
            self._finish()
            self.error = exc
            self._show_password(True)
            self.password.selectAll()
            self.password.setFocus()
            self.start_button.setText(self.tr("用此密码导入"))
            self._say(self.tr("密码不对, 请重新输入") if exc.wrong
                      else self.tr("名单有密码保护: 请输入学校提供的密码"), WARN_STYLE if not exc.wrong else ERROR_STYLE)
            self.job_failed.emit(exc)
            return
        super()._failed(exc)

    def _done(self, result) -> None:
        super()._done(result)
        if result.confirm:  # nothing imported: the roster would drop students; the next start confirms it
            self.confirmed_file = result.path
            self.start_button.setText(self.tr("确认移出并导入"))
            self._say(result.confirm, WARN_STYLE)
            return
        errors = (result.counts or {}).get("error_rows", 0)
        if errors:
            self._say(self.tr("已导入; {n} 行有错误, 见问题报告").format(n=errors), WARN_STYLE)
        self.start_button.setText(self.tr("导入"))
        self.ctl.refresh_throughput()
        self.roster_imported.emit(result)

    def open_target(self) -> Path | None:
        return self.result.report if self.result is not None else None
