"""Matching a checked roster to the students already in the database (the import's third step).

A student is the school (xxmc) plus the student number (Xh), or the ID number
where the student number is missing. A row is matched to an existing student
of the same school by student number, then by ID number (its 18-character
form), so a corrected roster the school re-sends updates the same students
instead of adding them twice; a student whose school was not known (added at
the camera first) is matched too. A roster of another school matches none of
this one's students, whatever their student numbers.

The students the roster no longer lists are found here as well (within the
roster's schools, and the colleges or majors it holds), and more than
:data:`REMOVE_WITHOUT_CONFIRM` of one school stop the import before anything
is written (:class:`RemovalNeedsConfirmation`). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import StationError
from app.i18n import t
from app.models import MajorCollege, Student
from app.roster.validate import CheckedRoster

# A re-sent roster may drop this many students of a school without asking; more needs --replace.
REMOVE_WITHOUT_CONFIRM = 5


class Existing(NamedTuple):
    """A student already in the database, as the import compares it with a roster row.

    The fields after ``unlisted`` are the student's roster data, the columns
    a roster row writes (:attr:`roster_data`), in the order of
    :class:`app.roster.import_write.StudentRow`.
    """

    id: int
    active: bool
    unlisted: bool  # added at the camera: never dropped by a roster
    grad_year: str
    school: str
    major: str
    class_name: str
    student_no: str
    id_number: str
    name: str
    gender: str
    exam_no: str
    college: str | None
    id_number18: str | None
    id_last6: str
    name_initials: str

    @property
    def roster_data(self) -> tuple:
        """What the roster said of the student (grad_year … name_initials)."""
        return self[3:]


# a database row -> Existing without the Python-level call of Existing._make (a re-import reads 50,000)
_as_existing = partial(tuple.__new__, Existing)


@dataclass
class Matched:
    """The database's side of an import: which row updates which student, who is dropped."""

    existing_count: int  # students in the database before this import
    target: list[int | None]  # row index -> the existing student it updates (None: a new student)
    existing: dict[int, Existing]  # student id -> the student as it is now
    to_remove: list[int]  # students this roster no longer lists (marked inactive, never deleted)
    new_schools: list[str]  # schools (xxmc) this roster brings into a database that had others


@dataclass(frozen=True)
class Removal:
    """A student a roster would mark as no longer listed (移出名单)."""

    student_id: int
    school: str
    college: str
    class_name: str
    student_no: str
    name: str


class RemovalNeedsConfirmation(StationError):
    """The roster would mark more than a few students of a school as removed: nothing was written.

    ``removals`` names them; the command repeats the import with
    ``--replace``, the window asks and repeats it with ``replace=True``.
    """

    exit_code = 3

    def __init__(self, removals: list[Removal]):
        self.removals = removals
        per_school: dict[str, int] = {}
        for r in removals:
            per_school[r.school] = per_school.get(r.school, 0) + 1
        counts = ", ".join(f"{school or t('(无学校)', '(no school)')} {n} 人" for school, n in per_school.items())
        super().__init__(t(
            f"这份名单会把 {len(removals)} 名学生标记为移出名单 ({counts}): 新名单中没有他们。"
            f"未导入任何内容; 确认是替换整份名单请加 --replace (窗口中点“确认移出并导入”)",
            f"this roster would mark {len(removals)} students as no longer listed ({counts}); nothing was imported. "
            f"If it replaces the whole roster, import again with --replace (in the window: confirm)"))

    def lines(self, limit: int | None = None) -> list[str]:
        rows = self.removals if limit is None else self.removals[:limit]
        out = [f"{r.school}  {r.college}  {r.class_name}  {r.student_no}  {r.name}" for r in rows]
        if limit is not None and len(self.removals) > limit:
            out.append(f"… {len(self.removals) - limit}")
        return out


def match_existing(session: Session, checked: CheckedRoster, colleges: list, *, replace: bool) -> Matched:
    """Match every row to the student it updates; raise RemovalNeedsConfirmation unless ``replace``.

    ``colleges`` is each row's college (the roster's column, else learnt from its major).
    """
    S = Student.__table__
    n = checked.n
    existing_count = session.execute(select(func.count()).select_from(S)).scalar_one()
    matched = Matched(existing_count, [None] * n, {}, [], [])
    if not existing_count:
        return matched
    # Schools number their students independently: a student is the school plus the
    # student number (else the ID number). A row without a school belongs to the file's
    # one school, when the file names exactly one.
    xxmc = checked.values["xxmc"]
    file_schools = set(xxmc) - {""}
    only_school = next(iter(file_schools)) if len(file_schools) == 1 else ""
    row_school = [x or only_school for x in xxmc]
    existing = matched.existing
    for ex in map(_as_existing, session.execute(select(*(S.c[name] for name in Existing._fields)))):
        existing[ex.id] = ex
    claimed = _claim_rows(checked, row_school, existing, matched.target)
    known_schools = {ex.school or "" for ex in existing.values()} - {""}
    matched.new_schools = sorted(file_schools - known_schools) if known_schools else []
    matched.to_remove = _no_longer_listed(session, row_school, colleges, checked.values["Zymc"], existing, claimed)
    if matched.to_remove and not replace:
        _confirm_removals(matched.to_remove, existing)
    return matched


def _claim_rows(checked: CheckedRoster, row_school: list[str], existing: dict[int, Existing],
                target: list[int | None]) -> set[int]:
    """Fill ``target`` (row -> student id) and return the students claimed; each student at most once."""
    by_xh: dict[tuple[str, str], list[int]] = {}
    by_id: dict[tuple[str, str], list[int]] = {}
    for ex in existing.values():
        school = ex.school or ""
        if ex.student_no:
            by_xh.setdefault((school, ex.student_no), []).append(ex.id)
        key = ex.id_number18 or ex.id_number
        if key:
            by_id.setdefault((school, key), []).append(ex.id)
    same_as, id_lost, id18 = checked.same_as, checked.id_lost, checked.id18
    xh_col, sfzh = checked.values["Xh"], checked.values["Sfzh"]
    claimed: set[int] = set()
    for i in range(checked.n):
        if i in same_as:
            continue
        sid = None
        xh = xh_col[i]
        school = row_school[i]
        # the same school's student, else one whose school was not known (added at the camera first)
        if xh:
            for cand in (*by_xh.get((school, xh), ()), *by_xh.get(("", xh), ())):
                if cand not in claimed:
                    sid = cand
                    break
        if sid is None and i not in id_lost:
            key = id18[i] or sfzh[i]
            if key:
                for cand in (*by_id.get((school, key), ()), *by_id.get(("", key), ())):
                    if cand not in claimed:
                        sid = cand
                        break
        if sid is not None:
            claimed.add(sid)
            target[i] = sid
    return claimed


def _no_longer_listed(session: Session, row_school, row_college, row_major, existing: dict[int, Existing],
                      claimed: set[int]) -> list[int]:
    """Active roster students this roster would drop: of its schools, and of the colleges it holds.

    A roster of another school never drops a student; a roster that holds only
    some colleges of a school (its college column, or its majors through the
    major → college table) drops no one of the others. A roster without any
    college is taken as the whole school's.
    """
    cmap = dict(session.execute(select(MajorCollege.major, MajorCollege.college)).all())
    colleges: dict[str, set] = {}
    majors: dict[str, set] = {}
    for school, college, major in zip(row_school, row_college, row_major):
        colleges.setdefault(school, set()).add(college or cmap.get(major))
        majors.setdefault(school, set()).add(major)
    for s in colleges.values():
        s.discard(None)
        s.discard("")
    out = []
    for sid, ex in existing.items():
        if not ex.active or ex.unlisted or sid in claimed:
            continue
        school = ex.school or ""
        if school not in majors:
            continue  # another school's student
        held = colleges[school]
        if held:  # the roster names its colleges: it covers those (and, for a student without one, its majors)
            college = ex.college or cmap.get(ex.major)
            if not (college in held if college else ex.major in majors[school]):
                continue
        # a roster without any college is the whole school's
        out.append(sid)
    return out


def _confirm_removals(to_remove: list[int], existing: dict[int, Existing]) -> None:
    per_school: dict[str, int] = {}
    for sid in to_remove:
        school = existing[sid].school or ""
        per_school[school] = per_school.get(school, 0) + 1
    if max(per_school.values()) <= REMOVE_WITHOUT_CONFIRM:
        return
    removals = []
    for sid in to_remove:
        ex = existing[sid]
        removals.append(Removal(sid, ex.school or "", ex.college or "", ex.class_name or "", ex.student_no or "",
                                ex.name or ""))
    removals.sort(key=lambda r: (r.school, r.college, r.class_name, r.student_no))
    raise RemovalNeedsConfirmation(removals)
