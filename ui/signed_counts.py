"""签字人数: the marshal enters the signed sheets' counts in a table, one row per group (per printed sheet).

The same rules as ``station report signed`` (``app.reports.signed``): a count
cannot pass the group's size; an emptied cell removes the entered count. The
station's own count (已拍) stands next to it, and a difference is shown in
red, as the reconciliation's cross-check will show it. Loading and saving run
in a worker (``ui.workers.Runner``) through ``app.window_services.SignedCountsService``:
the UI thread never touches the database.

Opened from the marshal window (``attach`` adds its button there).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.i18n import t
from app.window_services import SignedCountsService
from ui.workers import Runner

COLUMNS = ("学院", "班级", "组", "应到", "已拍(机位)", "签字人数", "差")
SIGNED = 5
DIFF = 6


class SignedCountsDialog(QDialog):
    """A table per group of the day's sign-in sheets; type the count written on each sheet, then 保存."""

    def __init__(self, db, parent=None, *, day: date | None = None):
        super().__init__(parent)
        self.db = db
        self.service = SignedCountsService(db)
        self.rows = []
        self._loaded: dict[int, int | None] = {}
        self.runner = Runner(self, threads=1)
        self.setWindowTitle(self.tr("录入签字人数"))
        self.resize(900, 640)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        d = day or date.today()
        self.day.setDate(QDate(d.year, d.month, d.day))
        self.college = QComboBox()
        self.college.addItem(self.tr("全部学院"), None)
        top.addWidget(QLabel(self.tr("日期")))
        top.addWidget(self.day)
        top.addSpacing(12)
        top.addWidget(QLabel(self.tr("学院")))
        top.addWidget(self.college, 1)
        lay.addLayout(top)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._changed)
        lay.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.clicked.connect(self.save)
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.close)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.day.dateChanged.connect(lambda _d: self.reload())
        self.college.currentIndexChanged.connect(lambda _i: self.reload())
        self.busy = False
        self._note = ""
        self.reload()

    # --- loading -------------------------------------------------------------------

    def day_text(self) -> str:
        return self.day.date().toString("yyyy-MM-dd")

    def reload(self) -> None:
        self.busy = True
        self.status.setText(self.tr("读取中…"))
        self.runner.submit(self.service.rows, self.day_text(), self.college.currentData(), on_done=self._show,
                           on_error=self._error)

    def _show(self, rows) -> None:
        self.rows = rows
        if self.college.count() == 1:
            for c in dict.fromkeys(r.college for r in rows):
                self.college.addItem(c, c)
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        self._loaded = {}
        for i, r in enumerate(rows):
            values = [r.college, r.class_name, str(r.group_no), str(r.size), str(r.photographed),
                      "" if r.signed is None else str(r.signed), ""]
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j != SIGNED:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if j == 1:
                    item.setToolTip(v)  # a long class name is cut in the column
                if j >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(i, j, item)
            self._loaded[i] = r.signed
            self._mark(i)
        self.table.blockSignals(False)
        self.busy = False
        entered = sum(1 for r in rows if r.signed is not None)
        summary = t(f"{len(rows)} 张签字表, 已录入 {entered} 张", f"{len(rows)} sheets, {entered} entered")
        self.status.setText(f"{self._note} {summary}".strip())
        self._note = ""

    # --- editing and saving ------------------------------------------------------------

    def _value(self, i: int) -> int | None | str:
        text = (self.table.item(i, SIGNED).text() or "").strip()
        if not text:
            return None
        return int(text) if text.isdigit() else text

    def _mark(self, i: int) -> None:
        v = self._value(i)
        diff = self.table.item(i, DIFF)
        cell = self.table.item(i, SIGNED)
        cell.setBackground(QBrush())
        diff.setText("")
        diff.setForeground(QBrush())
        if isinstance(v, str) or (isinstance(v, int) and v > self.rows[i].size):
            cell.setBackground(QBrush(QColor("#ffcdd2")))
            return
        if isinstance(v, int):
            d = self.rows[i].photographed - v
            diff.setText(f"{d:+d}" if d else "0")
            if d:
                diff.setForeground(QBrush(QColor("#c62828")))

    def _changed(self, item: QTableWidgetItem) -> None:
        if item.column() == SIGNED:
            self.table.blockSignals(True)
            self._mark(item.row())
            self.table.blockSignals(False)

    def changes(self) -> list[tuple[str, str, int, int | None]]:
        out = []
        for i, r in enumerate(self.rows):
            v = self._value(i)
            if v != self._loaded.get(i):
                out.append((r.college, r.class_name, r.group_no, v))
        return out

    def save(self) -> None:
        changes = self.changes()
        bad = [c for c in changes if isinstance(c[3], str)]
        if bad:
            self.status.setText(t(f"签字人数应为整数: {bad[0][1]} 第{bad[0][2]}组 “{bad[0][3]}”",
                                  f"a count must be a whole number: {bad[0][1]} group {bad[0][2]} “{bad[0][3]}”"))
            return
        if not changes:
            self.status.setText(self.tr("没有改动"))
            return
        self.busy = True
        self.save_button.setEnabled(False)
        self.runner.submit(self.service.save, self.day_text(), changes, on_done=self._saved, on_error=self._error)

    def _saved(self, n: int) -> None:
        self.save_button.setEnabled(True)
        self._note = t(f"已保存 {n} 张签字表的人数 (对账表的签字核对将使用)。", f"saved {n} sheets' counts (for the reconciliation).")
        self.reload()

    def _error(self, exc) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        self.status.setText(getattr(exc, "message", None) or str(exc))


def attach(window, layout) -> QPushButton:
    """The marshal window's hook: a button that opens the table (kept as ``window.signed_button``)."""
    button = QPushButton(window.tr("录入签字人数…"))
    button.setToolTip(window.tr("按签字表逐组录入签字人数, 用于半天对账的签字核对"))

    def open_dialog() -> None:
        dlg = getattr(window, "signed_dialog", None)
        if dlg is None:
            dlg = window.signed_dialog = SignedCountsDialog(window.db, window)
        else:
            dlg.reload()
        dlg.show()
        dlg.raise_()

    button.clicked.connect(open_dialog)
    layout.addWidget(button)
    window.signed_button = button
    return button
