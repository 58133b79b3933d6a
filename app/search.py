"""Finding a student at the camera: by what is scanned, or by what is typed.

Two functions, both returning :class:`app.models.Student` rows (active students
first, then in roster order); every lookup is an indexed equality or prefix
query, well under 2 ms over 50,000 students.

``lookup_exact(session, code) -> list[Student]``
    For a scanned code. Keyboard-wedge scanners type the code and Enter: a
    second-generation ID card reader types the 18-character ID number, a
    student-card barcode the student number. ``code`` is matched exactly
    against the ID number, the student number and the exam number. An
    18-character number also finds a student the roster lists with the legacy
    15-digit number, and a student whose ID number Excel stored as a number
    (the first 15 digits match; the row is flagged ``id_stored_as_number``).
    Invisible characters, full-width digits, spaces and a lower-case x are
    ignored, as the roster import ignores them.

``search(session, query, limit=20) -> list[Student]``
    For the photographer typing, called on every keystroke:

    - digits/letters with a digit: exact ID number, student number or exam
      number, and the last 6 characters of the ID number (``31002X``), in one
      statement; when none of those match (still typing), student and exam
      numbers that start with what was typed (at least 3 characters);
    - Latin letters only: pinyin initials of the name (``zsm`` → 张三明), exact
      first, then initials that start with it;
    - anything else: the name, exact first, then names that start with it.

Schools number their students independently, so a student number can belong
to a student of each of two schools in one database. A scanned code that
matches students of several schools returns only those of the school being
shot (``school``, else :func:`app.schools.current`), with a ``note`` saying
so; with no match in that school it returns them all, so the photographer
chooses (the cards show the school). Typed searches list the school being shot
first. :func:`school_note` is the line the student card shows when another
school has a student with the same number.

Display helpers (:func:`student_summary`) mask the ID number
(``3210**********593X``) for anything a bystander could see.
"""

from __future__ import annotations

import re

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.i18n import t
from app.models import Student
from app.privacy import mask_id
from app.roster.clean import CODE, NAME, clean_text
from app.schools import current

_CODE = re.compile(r"^[0-9A-Za-z]+$")
_LETTERS = re.compile(r"^[A-Za-z]+$")
_LAST6 = re.compile(r"^\d{5}[\dX]$")
MIN_PREFIX = 3


def normalise(query: str) -> str:
    """The query as the roster import would have stored it."""
    q, _ = clean_text(str(query), NAME)
    q = q.strip()
    code, _ = clean_text(q, CODE)
    # "2021 001" is a number typed with a space; "John Smith" is a name.
    if _CODE.match(code) and (" " not in q or any(ch.isdigit() for ch in code)):
        if code.endswith("x") and code[:-1].isdigit():
            code = code[:-1] + "X"
        return code
    return q


def _ordered(rows: list[Student]) -> list[Student]:
    return sorted(rows, key=lambda s: (not s.active, s.roster_order, s.id))


def _next(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _prefix(col, prefix: str):
    # The range uses the column's index; startswith keeps it exact on any collation.
    return and_(col >= prefix, col < _next(prefix), col.startswith(prefix, autoescape=True))


def _code_conditions(c: str) -> tuple[list, str | None]:
    conds = [Student.id_number == c, Student.student_no == c, Student.exam_no == c]
    legacy = None
    if len(c) == 18 and c[:17].isdigit():
        if c[6:8] == "19":
            legacy = c[:6] + c[8:17]
            conds.append(Student.id_number == legacy)
        # Excel kept 15 significant digits and the import marked the row (no last 6).
        conds.append(and_(Student.id_number == c[:15] + "000", Student.id_last6 == ""))
    return conds, legacy


def _is_exact(s: Student, c: str, legacy: str | None) -> bool:
    if c in (s.id_number, s.student_no, s.exam_no):
        return True
    if legacy is not None and s.id_number == legacy:
        return s.id_number18 == c
    return len(c) == 18 and s.id_last6 == "" and s.id_number == c[:15] + "000"


class Matches(list):
    """Students found for a code (a list), and what was set aside for the school being shot."""

    def __init__(self, rows=(), *, note: str = "", elsewhere: list[Student] | None = None):
        super().__init__(rows)
        self.note = note  # Chinese first: said when the code matched students of several schools
        self.elsewhere = elsewhere or []  # the other schools' students with this code


def _preferred(session: Session, school: str | None) -> str:
    if school:
        return school
    return current(session)


def lookup_exact(session: Session, code: str, *, school: str | None = None) -> Matches:
    """Students whose ID number, student number or exam number is exactly ``code``.

    Matches in several schools: those of ``school`` (default: the school being shot), noted; see the module docstring.
    """
    c = normalise(code)
    if not c:
        return Matches()
    conds, legacy = _code_conditions(c)
    rows = session.scalars(select(Student).where(or_(*conds)))
    found = _ordered([s for s in rows if _is_exact(s, c, legacy)])
    if len({s.school for s in found}) <= 1:
        return Matches(found)
    pref = _preferred(session, school)
    mine = [s for s in found if s.school == pref]
    others = sorted({s.school or t("(无学校)", "(no school)") for s in found if s.school != pref})
    if mine:
        note = t(f"{'、'.join(others)} 也有号码 {c} 的学生; 已按当前学校 {pref} 查找",
                 f"{', '.join(others)} also has a student with {c}; found in the current school {pref}")
        return Matches(mine, note=note, elsewhere=[s for s in found if s.school != pref])
    listed = "、".join(sorted({s.school or t("(无学校)", "(no school)") for s in found}))
    return Matches(found, note=t(f"号码 {c} 在多所学校都有学生 ({listed}): 请核对学校",
                                 f"{c} belongs to students of several schools ({listed}): check the school"))


def school_note(session: Session, student: Student) -> str | None:
    """The card's warning when another school in the database has a student with the same student number."""
    if not student.student_no:
        return None
    others = session.scalars(
        select(Student.school).where(Student.student_no == student.student_no, Student.school != student.school,
                                     Student.id != student.id).distinct()
    ).all()
    if not others:
        return None
    return t(f"注意: {'、'.join(o or '(无学校)' for o in others)} 也有学号 {student.student_no} 的学生 (不是同一人); "
             f"本学生属于 {student.school or '(无学校)'}",
             f"note: {', '.join(others)} also has student number {student.student_no} (another person); "
             f"this student is of {student.school}")


def search(session: Session, query: str, limit: int = 20, *, school: str | None = None) -> list[Student]:
    """Students matching what the photographer typed (see the module docstring); the school being shot first."""
    found = _search(session, query, limit)
    if len({s.school for s in found}) > 1:
        pref = _preferred(session, school)
        found.sort(key=lambda s: s.school != pref)  # stable: the order within a school stays
    return found


def _search(session: Session, query: str, limit: int) -> list[Student]:
    q = normalise(query)
    if not q:
        return []
    found: dict[int, Student] = {}

    def add(rows) -> None:
        for s in _ordered(list(rows)):
            if len(found) >= limit:
                return
            found.setdefault(s.id, s)

    if _CODE.match(q) and any(ch.isdigit() for ch in q):
        # One statement for the whole codes and the last 6 of the ID number.
        conds, legacy = _code_conditions(q)
        last6 = bool(_LAST6.match(q))
        if last6:
            conds.append(Student.id_last6 == q)
        rows = list(session.scalars(select(Student).where(or_(*conds)).limit(limit + 10)))
        exact = [s for s in rows if _is_exact(s, q, legacy)]
        add(exact)
        if last6:
            add(s for s in rows if s.id_last6 == q)
        # Still typing: numbers that start with what is there so far.
        if not rows and len(q) >= MIN_PREFIX:
            for col in (Student.student_no, Student.exam_no):
                if len(found) >= limit:
                    break
                add(session.scalars(select(Student).where(_prefix(col, q)).order_by(col).limit(limit)))
    elif _LETTERS.match(q):
        ql = q.lower()
        add(session.scalars(select(Student).where(Student.name_initials == ql).limit(limit)))
        if len(found) < limit:
            add(
                session.scalars(
                    select(Student)
                    .where(_prefix(Student.name_initials, ql))
                    .order_by(Student.name_initials)
                    .limit(limit)
                )
            )
    else:
        add(session.scalars(select(Student).where(Student.name == q).limit(limit)))
        if len(found) < limit:
            add(session.scalars(select(Student).where(_prefix(Student.name, q)).order_by(Student.name).limit(limit)))
    return list(found.values())


def student_summary(s: Student, *, mask: bool = True) -> dict:
    """The fields shown for a match, the ID number masked unless asked otherwise."""
    return {
        "id": s.id,
        "student_no": s.student_no,
        "name": s.name,
        "gender": s.gender,
        "school": s.school or "",
        "college": s.college or "",
        "major": s.major,
        "class_name": s.class_name,
        "id_number": mask_id(s.id_number) if mask else s.id_number,
        "exam_no": s.exam_no,
        "active": s.active,
        "unlisted": s.unlisted,
        "has_error": s.has_error,
        "has_warning": s.has_warning,
    }
