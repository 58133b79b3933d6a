"""Writing a checked, matched roster into the database (the import's last step).

Rows are written with SQLAlchemy Core ``insert()`` executemany; values shared
by every row are rendered into the statement once, and on SQLite the search
indexes are rebuilt after a large first import instead of being updated row by
row (the whole thing stays inside the caller's transaction). Nothing here
commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import compress, repeat
from typing import NamedTuple

from sqlalchemy import DateTime, bindparam, delete, false, insert, literal, literal_column, select, true, update
from sqlalchemy.orm import Session

from app.models import MajorCollege, RosterFinding, Student
from app.roster import pinyin
from app.roster.fields import COLLEGE, FIELDS
from app.roster.import_match import Existing, Matched
from app.roster.validate import CheckedRoster

# Below this many new rows, updating the indexes in place is cheaper than rebuilding them.
_REBUILD_INDEXES_FROM = 5000


class StudentRow(NamedTuple):
    """One roster row as the import writes it: the ``students`` columns it sets, in this order.

    A first import sends the rows to the database as plain tuples in this
    order (:data:`KEYS`); a re-import reads them by name.
    """

    uid: str
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
    roster_row: int  # Excel row number
    roster_order: int  # position in the roster

    @property
    def roster_data(self) -> tuple:
        """What the roster says of the student (grad_year … name_initials), as :attr:`Existing.roster_data`."""
        return self[1:14]


KEYS = StudentRow._fields
assert KEYS[1:14] == Existing._fields[3:], "StudentRow and Existing list the roster data alike"
# tuple -> StudentRow without the Python-level call of StudentRow._make (a re-import makes 50,000 of them)
_as_row = partial(tuple.__new__, StudentRow)


def _executemany(conn, stmt, keys: tuple[str, ...], rows) -> None:
    """Run a Core statement once per row of plain tuples.

    On SQLite the statement is compiled once by SQLAlchemy and handed to the
    driver's executemany with the tuples as they are: the values are already
    str/int/bool/None, so SQLAlchemy's per-row parameter processing (a third of
    a 50,000-row import) has nothing to do. Other databases go through
    ``Connection.execute`` with dictionaries.
    """
    if isinstance(rows, list) and not rows:
        return
    if conn.dialect.name == "sqlite" and conn.dialect.paramstyle == "qmark":
        compiled = stmt.compile(dialect=conn.dialect, column_keys=list(keys))
        order = [keys.index(name) for name in compiled.positiontup]
        if order != list(range(len(keys))):
            rows = (tuple(r[k] for k in order) for r in rows)
        # The DBAPI cursor of this connection (inside its transaction) takes any
        # iterable, so rows can be produced as they are written.
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(compiled.string, rows)
        finally:
            cursor.close()
    else:
        rows = list(rows)
        if not rows:
            return
        conn.execute(stmt, [dict(zip(keys, r)) for r in rows])


@dataclass
class Derived:
    """Per-row values the roster does not hold as such: search keys and the college."""

    initials: list[str]  # pinyin initials of the name
    last6: list[str]  # last 6 characters of the ID number ("" where Excel lost digits)
    colleges: list[str | None]  # the roster's college, else the one its major is known to belong to


def derive(session: Session, checked: CheckedRoster) -> Derived:
    V = checked.values
    initials = pinyin.initials_many(V["Xm"])
    last6 = [(a or b)[-6:] for a, b in zip(checked.id18, V["Sfzh"])]
    for i in checked.id_lost:
        last6[i] = ""  # the digits Excel lost are not the student's
    if V[COLLEGE] is not None:
        colleges = [c or None for c in V[COLLEGE]]
    else:
        cmap = dict(session.execute(select(MajorCollege.major, MajorCollege.college)).all())
        colleges = [cmap.get(m) for m in V["Zymc"]] if cmap else [None] * checked.n
    return Derived(initials, last6, colleges)


def columns(checked: CheckedRoster, derived: Derived) -> list[Sequence]:
    """The rows to write, column by column in :class:`StudentRow` order (a fresh uid for each)."""
    n = checked.n
    uid_prefix = uuid.uuid4().hex[:20]  # uid = random per import + row counter: unique, and cheap to index
    uids = list(map("{}{:012x}".format, repeat(uid_prefix, n), range(n)))
    V = checked.values
    return ([uids] + [V[f] for f in FIELDS]
            + [derived.colleges, checked.id18, derived.last6, derived.initials, checked.raw.rownos, range(n)])


@dataclass
class RowPlan:
    """Which rows are inserted, which update a student, and the counts."""

    new_clean: Iterable[tuple]  # new students without findings: plain tuples in KEYS order (maybe lazy)
    n_clean: int
    new_flagged: list[dict] = field(default_factory=list)  # new students with findings (their ids are needed)
    new_flagged_idx: list[int] = field(default_factory=list)  # their row indexes
    changed: list[tuple] = field(default_factory=list)  # (*KEYS[1:], has_error, has_warning, _id)
    same: list[tuple] = field(default_factory=list)  # (roster_row, roster_order, has_error, has_warning, _id)
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0

    @property
    def n_new(self) -> int:
        return self.n_clean + len(self.new_flagged)

    @property
    def n_writes(self) -> int:
        return self.n_new + len(self.changed) + len(self.same)


def _flagged(vals: tuple, err: bool, warn: bool) -> dict:
    d = dict(zip(KEYS, vals))
    d["has_error"] = err
    d["has_warning"] = warn
    return d


def plan_rows(checked: CheckedRoster, cols: list[Sequence], matched: Matched) -> RowPlan:
    error_rows = checked.error_rows
    warning_rows = checked.warning_rows - error_rows
    flagged_rows = error_rows | warning_rows
    same_as = checked.same_as
    n = checked.n
    if not matched.existing_count:
        # A first roster: every row is new. Clean rows go straight from the
        # columns to the database; the few flagged ones need their ids back.
        skip = flagged_rows | same_as.keys()
        keep = [True] * n
        for i in skip:
            keep[i] = False
        plan = RowPlan(compress(zip(*cols), keep) if skip else zip(*cols), n - len(skip))
        for i in sorted(flagged_rows - same_as.keys()):
            plan.new_flagged.append(_flagged(tuple(c[i] for c in cols), i in error_rows, i in warning_rows))
            plan.new_flagged_idx.append(i)
        return plan
    new_clean: list[tuple] = []
    plan = RowPlan(new_clean, 0)
    target, existing = matched.target, matched.existing
    for i, row in enumerate(map(_as_row, zip(*cols))):
        if i in same_as:
            continue
        sid = target[i]
        if sid is None:
            if i in flagged_rows:
                plan.new_flagged.append(_flagged(row, i in error_rows, i in warning_rows))
                plan.new_flagged_idx.append(i)
            else:
                new_clean.append(row)
            continue
        ex = existing[sid]
        if not ex.active:
            plan.reactivated += 1
        if row.roster_data != ex.roster_data:
            plan.updated += 1
            plan.changed.append((*row[1:], i in error_rows, i in warning_rows, sid))
        else:
            plan.unchanged += 1
            plan.same.append((row.roster_row, row.roster_order, i in error_rows, i in warning_rows, sid))
    plan.n_clean = len(new_clean)
    return plan


def datetime_literal(session: Session, value) -> object:
    """A timestamp rendered into the statement (the same for every row)."""
    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        # SQLAlchemy's SQLite DateTime storage format.
        return literal_column("'" + value.strftime("%Y-%m-%d %H:%M:%S.%f") + "'")
    return literal(value, DateTime())


def write_students(conn, plan: RowPlan, imp_lit, when, *, rebuild: bool) -> dict[int, int]:
    """Insert the new students and update the matched ones; returns {row index: new id} of the flagged new rows."""
    S = Student.__table__
    indexes = list(S.indexes)
    if rebuild:
        for ix in indexes:
            ix.drop(conn, checkfirst=True)
    common = dict(import_id=imp_lit, created_at=when, updated_at=when, unlisted=false(), active=true())
    _executemany(conn, insert(S).values(has_error=false(), has_warning=false(), **common), KEYS, plan.new_clean)
    sid_of: dict[int, int] = {}
    if plan.new_flagged:
        ids = conn.execute(
            insert(S).values(**common).returning(S.c.id, sort_by_parameter_order=True), plan.new_flagged
        ).scalars().all()
        sid_of = dict(zip(plan.new_flagged_idx, ids))
    upd_keys = (*KEYS[1:], "has_error", "has_warning", "_id")
    upd = update(S).where(S.c.id == bindparam("_id")).values(import_id=imp_lit, active=true(), unlisted=false())
    _executemany(conn, upd.values(updated_at=when), upd_keys, plan.changed)
    # Unchanged students: only the bookkeeping columns, so no index entry is rewritten
    # and their updated_at keeps its time.
    same_keys = ("roster_row", "roster_order", "has_error", "has_warning", "_id")
    _executemany(conn, upd.values(updated_at=S.c.updated_at), same_keys, plan.same)
    if rebuild:
        for ix in indexes:
            ix.create(conn, checkfirst=True)
    return sid_of


def deactivate(conn, imp_id: int, to_remove: list[int], when) -> None:
    """Students the new roster no longer lists: kept, marked inactive; findings of an earlier roster are replaced.

    Only students of the schools (and the colleges or majors) this roster
    covers are in ``to_remove``: another school's students, and the colleges a
    per-college file does not hold, are left alone. (An empty table before this
    import has nobody to drop and no earlier findings: the caller skips this.)
    """
    S, F = Student.__table__, RosterFinding.__table__
    _executemany(conn, update(S).where(S.c.id == bindparam("_id")).values(active=false(), updated_at=when), ("_id",),
                 [(sid,) for sid in to_remove])
    conn.execute(
        delete(F).where(
            F.c.import_id != imp_id,
            F.c.student_id.in_(select(S.c.id).where(S.c.import_id == imp_id)),
        )
    )


def write_findings(conn, checked: CheckedRoster, target: list[int | None], sid_of: dict[int, int], imp_lit) -> None:
    if not checked.findings:
        return
    same_as = checked.same_as
    rows = []
    for f in checked.findings:
        sid = None
        if f.index is not None and f.index not in same_as:
            sid = target[f.index] or sid_of.get(f.index)
        rows.append((sid, f.row, f.field, f.code, f.severity, f.message, f.original, f.fixed))
    finding_keys = ("student_id", "row", "field", "code", "severity", "message", "original", "fixed")
    _executemany(conn, insert(RosterFinding.__table__).values(import_id=imp_lit), finding_keys, rows)


def learn_colleges(session: Session, checked: CheckedRoster) -> None:
    """Major -> college, learnt from a roster that has the college column."""
    V = checked.values
    if V[COLLEGE] is None:
        return
    seen: dict[str, set[str]] = {}
    for m, c in zip(V["Zymc"], V[COLLEGE]):
        if m and c:
            seen.setdefault(m, set()).add(c)
    known = dict(session.execute(select(MajorCollege.major, MajorCollege.college)).all())
    for m, cs in seen.items():
        if len(cs) != 1:
            continue  # the same major in two colleges: no single answer
        (c,) = cs
        if m not in known:
            session.add(MajorCollege(major=m, college=c))
        elif known[m] != c:
            session.execute(update(MajorCollege).where(MajorCollege.major == m).values(college=c))
