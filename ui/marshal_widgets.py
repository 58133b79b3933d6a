"""The marshal window's two lists: colleges and classes with their counts, and a class's students."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QTreeWidget, QTreeWidgetItem

from app.roll_call import board as marshal

GREEN = QColor("#1b7f3b")
AMBER = QColor("#8a5a00")
GREY = QColor("#666666")


class ClassTree(QTreeWidget):
    """Colleges, and their classes under them: roster, photographed, absent, still to come."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: dict = {}
        self.setColumnCount(5)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, 5):
            self.header().setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)

    def retranslate(self) -> None:
        self.setHeaderLabels([QCoreApplication.translate("MarshalWindow", "学院 / 班级"), QCoreApplication.translate("MarshalWindow", "名单"), QCoreApplication.translate("MarshalWindow", "已拍"), QCoreApplication.translate("MarshalWindow", "缺席"), QCoreApplication.translate("MarshalWindow", "未拍")])

    def selected_key(self):
        items = self.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def select_class(self, college: str, class_name: str) -> None:
        item = self.items.get(("class", college, class_name))
        if item is not None:
            self.setCurrentItem(item)

    def fill(self, snap: marshal.MarshalSnapshot) -> None:
        wanted = set()
        for ci, col in enumerate(snap.colleges):
            key = ("college", col.college)
            wanted.add(key)
            item = self.items.get(key)
            if item is None:
                item = QTreeWidgetItem(self)
                item.setData(0, Qt.ItemDataRole.UserRole, key)
                self.items[key] = item
                item.setExpanded(True)
                bold = item.font(0)
                bold.setBold(True)
                for i in range(5):
                    item.setFont(i, bold)
            if self.indexOfTopLevelItem(item) != ci:
                self.takeTopLevelItem(self.indexOfTopLevelItem(item))
                self.insertTopLevelItem(ci, item)
                item.setExpanded(True)
            label = col.label + (QCoreApplication.translate("MarshalWindow", "  ✓ 已拍完, 请与带队老师核对") if col.complete else "")
            self.set_row(item, label, col.roster, col.photographed, col.absent, col.remaining,
                         GREEN if col.complete else None)
            for c in col.classes:
                ckey = ("class", c.college, c.class_name)
                wanted.add(ckey)
                child = self.items.get(ckey)
                if child is None:
                    child = QTreeWidgetItem(item)
                    child.setData(0, Qt.ItemDataRole.UserRole, ckey)
                    self.items[ckey] = child
                label = c.class_name or QCoreApplication.translate("MarshalWindow", "(未填班级)")
                if c.extra:
                    label += QCoreApplication.translate("MarshalWindow", " (+{0} 名单外)").format(c.extra)
                self.set_row(child, label, c.roster, c.photographed, c.absent, c.remaining,
                             GREEN if c.remaining == 0 else None)
        for key in [k for k in self.items if k not in wanted]:
            item = self.items.pop(key)
            parent = item.parent()
            if parent is not None:
                parent.removeChild(item)
            else:
                self.takeTopLevelItem(self.indexOfTopLevelItem(item))

    @staticmethod
    def set_row(item: QTreeWidgetItem, label: str, roster: int, done: int, absent: int, left: int, colour) -> None:
        values = [label, str(roster), str(done), str(absent), str(left)]
        for i, v in enumerate(values):
            if item.text(i) != v:
                item.setText(i, v)
            if i:
                item.setTextAlignment(i, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(0, QBrush(colour) if colour is not None else QBrush())


class StudentTable(QTableWidget):
    """One class's students (those still to come, or all), ID numbers masked."""

    def __init__(self, parent=None):
        super().__init__(0, 7, parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([QCoreApplication.translate("MarshalWindow", "名单行"), QCoreApplication.translate("MarshalWindow", "学号"), QCoreApplication.translate("MarshalWindow", "姓名"), QCoreApplication.translate("MarshalWindow", "性别"), QCoreApplication.translate("MarshalWindow", "身份证号"),
                                        QCoreApplication.translate("MarshalWindow", "组"), QCoreApplication.translate("MarshalWindow", "状态")])

    def selected_student_id(self) -> int | None:
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not rows:
            return None
        it = self.item(rows[0].row(), 0)
        return it.data(Qt.ItemDataRole.UserRole) if it else None

    def fill(self, cls: marshal.ClassView, show_all: bool) -> None:
        keep = self.selected_student_id()
        rows = sorted(cls.students, key=lambda s: (s.roster_order, s.id)) if show_all else cls.not_photographed()
        self.setRowCount(len(rows))
        for r, s in enumerate(rows):
            status = {
                marshal.STATUS_PHOTOGRAPHED: QCoreApplication.translate("MarshalWindow", "已拍"),
                marshal.STATUS_ABSENT: QCoreApplication.translate("MarshalWindow", "缺席: {0}").format(s.reason),
                marshal.STATUS_REMAINING: QCoreApplication.translate("MarshalWindow", "待拍"),
                marshal.STATUS_PENDING: QCoreApplication.translate("MarshalWindow", "已拍未确认"),
            }[s.status]
            if s.has_error:
                status += QCoreApplication.translate("MarshalWindow", " · 名单有误")
            values = [str(s.roster_row) if s.roster_row else "", s.student_no, s.name, s.gender, s.masked_id,
                      str(s.group_no), status]
            colour = {marshal.STATUS_PHOTOGRAPHED: GREEN, marshal.STATUS_ABSENT: AMBER}.get(s.status)
            for c, v in enumerate(values):
                it = QTableWidgetItem(v)
                it.setData(Qt.ItemDataRole.UserRole, s.id)
                if colour is not None:
                    it.setForeground(QBrush(colour))
                self.setItem(r, c, it)
            if s.id == keep:
                self.selectRow(r)
        self.resizeColumnsToContents()
