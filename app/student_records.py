"""What the camera desk writes about a student: an unlisted student registered, a data problem reported.

Both end up on the errata form (attachment 3). The rules for an unlisted
student (GB 11643, gender, class or college) are :mod:`app.unlisted`'s.
"""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database
from app.i18n import t
from app.models import DATA_ISSUE_KINDS, DataIssue, Student
from app.schools import current as current_school
from app.unlisted import name_initials, unlisted_problem
from app.workflow_read import card_of
from app.workflow_types import NoStudent, StudentCard, WorkflowError

# The field names of DataIssue.field, as attachment 3 and the roster spell them.
ISSUE_FIELDS = {"id_wrong": "Sfzh", "name_wrong": "Xm", "image_mismatch": None, "other": None}


def check_unlisted(db: Database, *, name: str, student_no: str, id_number: str, gender: str, class_name: str,
                   college: str) -> tuple[str, str]:
    """(school, graduation year) for a new unlisted student; WorkflowError saying why not."""
    if not name.strip() or not (student_no.strip() or id_number.strip()):
        raise WorkflowError(t("名单外学生需要姓名和学号或身份证号", "An unlisted student needs a name and a student or ID number"))
    with db.session() as s:
        school = current_school(s) or s.scalar(select(Student.school).where(Student.unlisted.is_(False)).limit(1)) or ""
        year = s.scalar(select(Student.grad_year).where(Student.unlisted.is_(False)).limit(1)) or ""
    problem = unlisted_problem(id_number=id_number.strip().upper(), gender=gender, class_name=class_name,
                               college=college, grad_year=year)
    if problem:
        raise WorkflowError(problem)
    return school, year


def add_unlisted(db: Database, station_id: int, *, school: str, year: str, name: str, student_no: str,
                 id_number: str, gender: str, major: str, class_name: str, college: str, note: str) -> StudentCard:
    """The student, flagged unlisted, and the data issue that puts them on the errata form."""
    name, idn = name.strip(), id_number.strip().upper()
    with db.session() as s:
        st = Student(
            name=name, student_no=student_no.strip(), id_number=idn, gender=gender.strip(),
            major=major.strip(), class_name=class_name.strip(), college=college.strip() or None,
            school=school, grad_year=year, unlisted=True,
            id_last6=idn[-6:] if idn else "", name_initials=name_initials(name),
        )
        s.add(st)
        s.flush()
        s.add(DataIssue(
            student_id=st.id, station_id=station_id, kind="other", source="unlisted",
            note=note.strip() or t("名单外学生, 现场登记", "not on the roster, registered at the camera"),
        ))
        s.commit()
        return card_of(s, st)


def check_issue(kind: str, correct_value: str) -> None:
    if kind not in DATA_ISSUE_KINDS:
        raise WorkflowError(f"unknown kind {kind!r}; known: {', '.join(DATA_ISSUE_KINDS)}")
    if kind in ("id_wrong", "name_wrong") and not correct_value.strip():
        raise WorkflowError(t("请填写正确的值", "Enter the correct value"))


def report_data_issue(db: Database, station_id: int, student_id: int, kind: str, *, correct_value: str = "",
                      note: str = "") -> int:
    """A data problem seen at the camera (wrong ID number, wrong name, ...) for the errata form."""
    check_issue(kind, correct_value)
    with db.session() as s:
        st = s.get(Student, student_id)
        if st is None:
            raise NoStudent(t("没有这个学生", "No such student"))
        fld = ISSUE_FIELDS.get(kind)
        original = {"Sfzh": st.id_number, "Xm": st.name}.get(fld or "")
        issue = DataIssue(
            student_id=student_id, station_id=station_id, field=fld, kind=kind, source="camera",
            original_value=original, correct_value=correct_value.strip() or None, note=note.strip() or None,
        )
        s.add(issue)
        s.commit()
        return issue.id
