"""The window's list of merge conflicts: students with photos selected on two stations, decided one by one.

The delivery refuses to run while any is undecided (``app.export.ConflictsBlockDelivery``); this
list is the window's ``station merge --conflicts`` / ``--decide``. The database work runs in the
controller's workers (``app.station_jobs.merge_conflicts`` / ``decide_conflict``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout

from app import station_jobs


class ConflictsDialog(QDialog):
    decided = Signal(object)  # the JobResult of a decision
    loaded = Signal(int)  # how many students wait for a decision

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.ctl = controller
        self.setModal(False)
        self.setWindowTitle(self.tr("合并冲突: 两个机位都选定了照片"))
        lay = QVBoxLayout(self)
        self.intro = QLabel(self.tr("每位学生选定一张照片 (双击或点“选定此张”); 全部决定后才能交付。"))
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.itemDoubleClicked.connect(lambda item, _col: self.choose(item))
        lay.addWidget(self.tree, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        self.choose_button = QPushButton(self.tr("选定此张"))
        self.choose_button.clicked.connect(lambda: self.choose(self.tree.currentItem()))
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.clicked.connect(self.close)
        row.addWidget(self.choose_button)
        row.addWidget(self.close_button)
        lay.addLayout(row)
        self.conflicts: list[station_jobs.Conflict] = []
        self.resize(640, 360)
        self.reload()

    def reload(self) -> None:
        self.ctl.runner.submit(station_jobs.merge_conflicts, self.ctl.workflow.db, on_done=self._show,
                               on_error=self._failed)

    def _show(self, conflicts) -> None:
        self.conflicts = list(conflicts)
        self.tree.clear()
        for c in self.conflicts:
            top = QTreeWidgetItem([c.student])
            for ph in c.photos:
                child = QTreeWidgetItem([ph.label + (self.tr("  (当前)") if ph.selected else "")])
                child.setData(0, Qt.ItemDataRole.UserRole, ph.shot_uid)
                child.setToolTip(0, ph.path)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.status.setText(self.tr("待决定 {n} 人").format(n=len(self.conflicts)) if self.conflicts
                            else self.tr("没有待决定的冲突, 可以交付"))
        self.loaded.emit(len(self.conflicts))

    def choose(self, item) -> None:
        uid = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        if not uid:
            self.status.setText(self.tr("请选择一张照片 (学生下面的一行)"))
            return
        self.ctl.runner.submit(station_jobs.decide_conflict, self.ctl.workflow.db, uid, on_done=self._decided,
                               on_error=self._failed)

    def _decided(self, result) -> None:
        self.decided.emit(result)
        self.reload()

    def _failed(self, exc) -> None:
        self.status.setText(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
