"""Small forms opened by the photographer: an unlisted student, a data problem on the card.

They return plain dicts; the window hands them to the workflow in a worker.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from app.i18n import language
from app.models import DATA_ISSUE_KINDS
from app.unlisted import unlisted_problem

ID_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def add_footer(dialog: QDialog, lay: QVBoxLayout) -> QLabel:
    """The forms' last lines: a red line for what is wrong, then OK (runs ``dialog._check``) and Cancel."""
    error = QLabel()
    error.setStyleSheet("color:#b91c1c;")
    lay.addWidget(error)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog._check)
    buttons.rejected.connect(dialog.reject)
    lay.addWidget(buttons)
    return error


class UnlistedDialog(QDialog):
    """A student who is not on the roster: photographed anyway, flagged for the errata form."""

    def __init__(self, code: str = "", parent=None, *, class_name: str = "", college: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("登记名单外学生"))
        lay = QVBoxLayout(self)
        note = QLabel(self.tr("名单中没有此学生。填写后照常拍摄, 该学生会列入勘误表。"))
        note.setWordWrap(True)
        lay.addWidget(note)
        form = QFormLayout()
        self.name = QLineEdit()
        self.student_no = QLineEdit()
        self.id_number = QLineEdit()
        self.gender = QComboBox()
        self.gender.addItems(["", "男", "女"])
        self.major = QLineEdit()
        self.class_name = QLineEdit()
        self.college = QLineEdit()
        self.note = QLineEdit()
        code = code.strip()
        (self.id_number if ID_RE.match(code) else self.student_no).setText(code)
        # The class and college of the students being photographed now: usually the unlisted one's own.
        self.class_name.setText(class_name)
        self.college.setText(college)
        form.addRow(self.tr("姓名 *"), self.name)
        form.addRow(self.tr("学号"), self.student_no)
        form.addRow(self.tr("身份证号"), self.id_number)
        form.addRow(self.tr("性别"), self.gender)
        form.addRow(self.tr("专业"), self.major)
        form.addRow(self.tr("班级 *"), self.class_name)
        form.addRow(self.tr("学院 *"), self.college)
        form.addRow(self.tr("备注"), self.note)
        lay.addLayout(form)
        self.error = add_footer(self, lay)
        self.name.setFocus()

    def _check(self) -> None:
        if not self.name.text().strip():
            self.error.setText(self.tr("请填写姓名"))
            return
        if not (self.student_no.text().strip() or self.id_number.text().strip()):
            self.error.setText(self.tr("请填写学号或身份证号"))
            return
        idn = self.id_number.text().strip()
        if idn and not ID_RE.match(idn):
            self.error.setText(self.tr("身份证号应为18位 (或15位旧号码)"))
            return
        # The same check as the workflow's (GB 11643, birth date, gender, a class or a college).
        problem = unlisted_problem(id_number=idn, gender=self.gender.currentText(),
                                   class_name=self.class_name.text(), college=self.college.text())
        if problem:
            self.error.setText(problem)
            return
        self.accept()

    def values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "student_no": self.student_no.text(),
            "id_number": self.id_number.text(),
            "gender": self.gender.currentText(),
            "major": self.major.text(),
            "class_name": self.class_name.text(),
            "college": self.college.text(),
            "note": self.note.text(),
        }


class DataIssueDialog(QDialog):
    """Report a wrong ID number, a wrong name, ... with the correct value, for the errata form."""

    def __init__(self, student_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("报告信息错误"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("学生: {name}").format(name=student_name)))
        form = QFormLayout()
        self.kind = QComboBox()
        en = language() == "en"
        for key, (zh, eng) in DATA_ISSUE_KINDS.items():
            self.kind.addItem(eng if en else zh, key)
        self.correct = QLineEdit()
        self.note = QLineEdit()
        form.addRow(self.tr("错误类型"), self.kind)
        form.addRow(self.tr("正确信息"), self.correct)
        form.addRow(self.tr("备注"), self.note)
        lay.addLayout(form)
        self.error = add_footer(self, lay)
        self.correct.setFocus()

    def _check(self) -> None:
        if self.kind.currentData() in ("id_wrong", "name_wrong") and not self.correct.text().strip():
            self.error.setText(self.tr("请填写正确的值"))
            return
        self.accept()

    def values(self) -> dict[str, str]:
        return {"kind": self.kind.currentData(), "correct_value": self.correct.text(), "note": self.note.text()}
