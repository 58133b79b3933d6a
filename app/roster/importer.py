"""Importing a checked roster into the station database.

One transaction per import: the :class:`~app.models.RosterImport` row, the
students, their findings and the audit record commit together or not at all.

- A student is the school (xxmc) plus the student number (Xh), or the ID
  number where the student number is missing (:func:`app.schools.identity`).
  A row is matched to an existing student of the same school by student
  number, then by ID number (its 18-character form), so a corrected roster the
  school re-sends updates the same students instead of adding them twice. A
  roster of another school adds its students and never touches this one's,
  whatever their student numbers.
- Nobody is deleted. A student the new roster no longer lists is marked
  ``active=False`` (a student who already has a photo keeps it, and the
  reconciliation still sees it), but only within the schools, and the
  colleges or majors, the roster holds: a roster sent one file per college
  adds each college without dropping the others. Students added at the camera
  (``unlisted``) are left alone. A student listed again is active again. A
  roster that would drop more than :data:`REMOVE_WITHOUT_CONFIRM` students of
  a school raises :class:`RemovalNeedsConfirmation` naming them, with nothing
  written, unless ``replace=True`` (``station roster import --replace``).
- A row that exactly repeats an earlier row is the same student listed twice:
  it is imported once and its ``duplicate`` findings name the row, not a student.
- Findings replace the student's findings from earlier imports, so
  ``Student.findings`` and ``has_error``/``has_warning`` always describe the
  roster in force.

Speed: rows are written with SQLAlchemy Core ``insert()`` executemany; values
shared by every row are rendered into the statement once, and on SQLite the
search indexes are rebuilt after a large first import instead of being updated
row by row (the whole thing stays inside the transaction).
"""

from __future__ import annotations

import gc
import json
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from itertools import compress, repeat
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import bindparam, delete, false, func, insert, literal_column, select, true, update
from sqlalchemy.orm import Session

from app.errors import StationError
from app.roster import pinyin
from app.roster.fields import ATTR, COLLEGE, FIELDS
from app.roster.reader import read_roster
from app.roster.validate import CheckedRoster, validate

Progress = Callable[[str, int, int], None]

# Below this many new rows, updating the indexes in place is cheaper than rebuilding them.
_REBUILD_INDEXES_FROM = 5000

# Student columns written per row, in the order rows are built.
KEYS = (
    "uid",
    "grad_year",
    "school",
    "major",
    "class_name",
    "student_no",
    "id_number",
    "name",
    "gender",
    "exam_no",
    "college",
    "id_number18",
    "id_last6",
    "name_initials",
    "roster_row",
    "roster_order",
)


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
class ImportResult:
    import_id: int
    checked: CheckedRoster
    rows_read: int
    imported: int  # new students
    updated: int  # existing students whose roster data changed
    unchanged: int
    deactivated: int  # no longer listed: active=False (never deleted)
    reactivated: int
    flagged: int  # students whose row has an error
    warned: int  # students whose row has a warning (only)
    errors: int  # findings with severity error
    warnings: int
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    new_schools: list[str] = field(default_factory=list)  # schools (xxmc) this roster brought into a database that had others

    def summary(self) -> dict:
        return {
            "import_id": self.import_id,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "reactivated": self.reactivated,
            "flagged": self.flagged,
            "warned": self.warned,
            "errors": self.errors,
            "warnings": self.warnings,
            "new_schools": self.new_schools,
        }


# A re-sent roster may drop this many students of a school without asking; more needs --replace.
REMOVE_WITHOUT_CONFIRM = 5


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
        from app.i18n import t

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


def _no_longer_listed(session: Session, row_school, row_college, row_major, old_values, old_state, claimed) -> list[int]:
    """Active roster students this roster would drop: of its schools, and of the colleges it holds.

    A roster of another school never drops a student; a roster that holds only
    some colleges of a school (its college column, or its majors through the
    major → college table) drops no one of the others. A roster without any
    college is taken as the whole school's.
    """
    from app.models import MajorCollege

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
    for sid, vals in old_values.items():
        active, unlisted = old_state[sid]
        if not active or unlisted or sid in claimed:
            continue
        school = vals[1] or ""
        if school not in majors:
            continue  # another school's student
        held = colleges[school]
        if held:  # the roster names its colleges: it covers those (and, for a student without one, its majors)
            college = vals[9] or cmap.get(vals[2])
            if not (college in held if college else vals[2] in majors[school]):
                continue
        # a roster without any college is the whole school's
        out.append(sid)
    return out


def _confirm_removals(to_remove: list[int], old_values) -> None:
    per_school: dict[str, int] = {}
    for sid in to_remove:
        school = old_values[sid][1] or ""
        per_school[school] = per_school.get(school, 0) + 1
    if max(per_school.values()) <= REMOVE_WITHOUT_CONFIRM:
        return
    removals = [
        Removal(sid, old_values[sid][1] or "", old_values[sid][9] or "", old_values[sid][3] or "",
                old_values[sid][4] or "", old_values[sid][6] or "")
        for sid in to_remove
    ]
    removals.sort(key=lambda r: (r.school, r.college, r.class_name, r.student_no))
    raise RemovalNeedsConfirmation(removals)


@contextmanager
def bulk_work():
    """Pause Python's cyclic garbage collector for a bulk load.

    Reading 50,000 rows creates half a million objects and nothing cyclic; the
    collector's repeated passes over them cost about a tenth of an import.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check_roster(path: str | Path, password: str | None = None) -> CheckedRoster:
    """Read and validate without touching the database."""
    with bulk_work():
        return validate(read_roster(path, password))


def _now():
    from app.models import now

    return now()


def _datetime_literal(session: Session, value) -> object:
    """A timestamp rendered into the statement (the same for every row)."""
    from sqlalchemy import DateTime, literal

    dialect = session.get_bind().dialect
    if dialect.name == "sqlite":
        # SQLAlchemy's SQLite DateTime storage format.
        return literal_column("'" + value.strftime("%Y-%m-%d %H:%M:%S.%f") + "'")
    return literal(value, DateTime())


def import_roster(
    session: Session,
    path: str | Path,
    *,
    password: str | None = None,
    progress: Progress | None = None,
    checked: CheckedRoster | None = None,
    replace: bool = False,
) -> ImportResult:
    """Read, validate and import a roster; commits. Raises InputError if unreadable.

    Raises :class:`RemovalNeedsConfirmation` (nothing written) when the roster
    would mark more than :data:`REMOVE_WITHOUT_CONFIRM` students of a school as
    no longer listed, unless ``replace``.
    """
    with bulk_work():
        return _import_roster(session, path, password=password, progress=progress, checked=checked, replace=replace)


def _import_roster(
    session: Session,
    path: str | Path,
    *,
    password: str | None = None,
    progress: Progress | None = None,
    checked: CheckedRoster | None = None,
    replace: bool = False,
) -> ImportResult:
    """The import itself (see :func:`import_roster`)."""
    from app import audit
    from app.models import MajorCollege, RosterFinding, RosterImport, Student

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    report = progress or (lambda stage, done, total: None)
    path = Path(path)
    if checked is None:
        report("read", 0, 0)
        raw = read_roster(path, password)
        timings["read"] = time.perf_counter() - t0
        report("check", 0, raw.n)
        checked = validate(raw)
        timings["validate"] = time.perf_counter() - t0 - timings["read"]
    raw = checked.raw
    n = checked.n
    V = checked.values
    id18 = checked.id18
    id_lost = checked.id_lost
    same_as = checked.same_as
    t1 = time.perf_counter()

    # --- derived search keys ------------------------------------------------------
    initials = pinyin.initials_many(V["Xm"])
    sfzh = V["Sfzh"]
    last6 = [(a or b)[-6:] for a, b in zip(id18, sfzh)]
    for i in id_lost:
        last6[i] = ""  # the digits Excel lost are not the student's
    if V[COLLEGE] is not None:
        colleges = [c or None for c in V[COLLEGE]]
    else:
        cmap = dict(session.execute(select(MajorCollege.major, MajorCollege.college)).all())
        colleges = [cmap.get(m) for m in V["Zymc"]] if cmap else [None] * n
    timings["derive"] = time.perf_counter() - t1

    # --- match existing students (within their school) -----------------------------------
    t2 = time.perf_counter()
    S = Student.__table__
    value_cols = [S.c[ATTR[f]] for f in (*FIELDS, COLLEGE)] + [S.c.id_number18, S.c.id_last6, S.c.name_initials]
    existing_count = session.execute(select(func.count()).select_from(S)).scalar_one()
    target: list[int | None] = [None] * n
    old_values: dict[int, tuple] = {}
    old_state: dict[int, tuple[bool, bool]] = {}
    to_remove: list[int] = []
    new_schools: list[str] = []
    if existing_count:
        # Schools number their students independently: a student is the school plus the
        # student number (else the ID number). A row without a school belongs to the file's
        # one school, when the file names exactly one.
        xxmc = V["xxmc"]
        file_schools = set(xxmc) - {""}
        only_school = next(iter(file_schools)) if len(file_schools) == 1 else ""
        row_school = [x or only_school for x in xxmc]
        by_xh: dict[tuple[str, str], list[int]] = {}
        by_id: dict[tuple[str, str], list[int]] = {}
        for row in session.execute(select(S.c.id, S.c.active, S.c.unlisted, *value_cols)):
            sid = row[0]
            old_state[sid] = (row[1], row[2])
            vals = tuple(row[3:])
            old_values[sid] = vals
            school = vals[1] or ""
            if vals[4]:
                by_xh.setdefault((school, vals[4]), []).append(sid)
            key = vals[10] or vals[5]
            if key:
                by_id.setdefault((school, key), []).append(sid)
        claimed: set[int] = set()
        for i in range(n):
            if i in same_as:
                continue
            sid = None
            xh = V["Xh"][i]
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
        known_schools = {vals[1] or "" for vals in old_values.values()} - {""}
        new_schools = sorted(file_schools - known_schools) if known_schools else []
        to_remove = _no_longer_listed(session, row_school, colleges, V["Zymc"], old_values, old_state, claimed)
        if to_remove and not replace:
            _confirm_removals(to_remove, old_values)
    timings["match"] = time.perf_counter() - t2

    # --- the import record ----------------------------------------------------------
    t1b = time.perf_counter()
    imp = RosterImport(
        file_name=str(path.resolve()),
        file_sha256=audit.file_sha256(path),
        sheet=raw.sheet,
        rows_read=n,
    )
    session.add(imp)
    session.flush()
    imp_id = imp.id
    stamp = _now()
    timings["record"] = time.perf_counter() - t1b
    t2b = time.perf_counter()

    # --- rows to write (tuples in KEYS order) ---------------------------------------------
    uid_prefix = uuid.uuid4().hex[:20]  # uid = random per import + row counter: unique, and cheap to index
    uids = list(map("{}{:012x}".format, repeat(uid_prefix, n), range(n)))
    columns = [uids] + [V[f] for f in FIELDS] + [colleges, id18, last6, initials, raw.rownos, range(n)]
    error_rows = checked.error_rows
    warning_rows = checked.warning_rows - error_rows
    flagged_rows = error_rows | warning_rows
    new_clean: list[tuple] = []
    new_flagged: list[dict] = []
    new_flagged_idx: list[int] = []
    upd_changed: list[tuple] = []
    upd_same: list[tuple] = []
    updated = unchanged = reactivated = 0
    if not existing_count:
        # A first roster: every row is new. Clean rows go straight from the
        # columns to the database; the few flagged ones need their ids back.
        skip = flagged_rows | same_as.keys()
        keep = [True] * n
        for i in skip:
            keep[i] = False
        new_clean = compress(zip(*columns), keep) if skip else zip(*columns)
        n_clean = n - len(skip)
        for i in sorted(flagged_rows - same_as.keys()):
            d = dict(zip(KEYS, [c[i] for c in columns]))
            d["has_error"] = i in error_rows
            d["has_warning"] = i in warning_rows
            new_flagged.append(d)
            new_flagged_idx.append(i)
    else:
        for i, vals in enumerate(zip(*columns)):
            if i in same_as:
                continue
            sid = target[i]
            if sid is None:
                if i in flagged_rows:
                    d = dict(zip(KEYS, vals))
                    d["has_error"] = i in error_rows
                    d["has_warning"] = i in warning_rows
                    new_flagged.append(d)
                    new_flagged_idx.append(i)
                else:
                    new_clean.append(vals)
                continue
            if not old_state[sid][0]:
                reactivated += 1
            if tuple(vals[1:14]) != old_values[sid]:
                updated += 1
                upd_changed.append((*vals[1:], i in error_rows, i in warning_rows, sid))
            else:
                unchanged += 1
                upd_same.append((vals[14], vals[15], i in error_rows, i in warning_rows, sid))
    if isinstance(new_clean, list):
        n_clean = len(new_clean)
    n_new = n_clean + len(new_flagged)
    report("write", 0, n_new + len(upd_changed) + len(upd_same))

    # --- write ------------------------------------------------------------------------------
    timings["rows"] = time.perf_counter() - t2b
    t3 = time.perf_counter()
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    conn = session.connection()
    rebuild = sqlite and n_new >= _REBUILD_INDEXES_FROM and n_new >= existing_count
    indexes = list(S.indexes)
    if sqlite:
        old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MiB while the indexes grow
    if rebuild:
        for ix in indexes:
            ix.drop(conn, checkfirst=True)
    when = _datetime_literal(session, stamp)
    imp_lit = literal_column(str(int(imp_id)))
    common = dict(import_id=imp_lit, created_at=when, updated_at=when, unlisted=false(), active=true())
    _executemany(conn, insert(S).values(has_error=false(), has_warning=false(), **common), KEYS, new_clean)
    sid_of: dict[int, int] = {}
    if new_flagged:
        ids = conn.execute(
            insert(S).values(**common).returning(S.c.id, sort_by_parameter_order=True), new_flagged
        ).scalars().all()
        sid_of = dict(zip(new_flagged_idx, ids))
    upd_keys = (*KEYS[1:], "has_error", "has_warning", "_id")
    upd = update(S).where(S.c.id == bindparam("_id")).values(import_id=imp_lit, active=true(), unlisted=false())
    _executemany(conn, upd.values(updated_at=when), upd_keys, upd_changed)
    # Unchanged students: only the bookkeeping columns, so no index entry is rewritten
    # and their updated_at keeps its time.
    same_keys = ("roster_row", "roster_order", "has_error", "has_warning", "_id")
    _executemany(conn, upd.values(updated_at=S.c.updated_at), same_keys, upd_same)
    if rebuild:
        for ix in indexes:
            ix.create(conn, checkfirst=True)
    timings["insert"] = time.perf_counter() - t3

    # Students the new roster no longer lists: kept, marked inactive. (An empty
    # table before this import has nobody to drop and no earlier findings.)
    # Only students of the schools (and the colleges or majors) this roster covers: another
    # school's students, and the colleges a per-college file does not hold, are left alone.
    deactivated = len(to_remove)
    F = RosterFinding.__table__
    if existing_count:
        _executemany(conn, update(S).where(S.c.id == bindparam("_id")).values(active=false(), updated_at=when), ("_id",),
                     [(sid,) for sid in to_remove])
        # --- findings of an earlier roster are replaced ---------------------------------------
        conn.execute(
            delete(F).where(
                F.c.import_id != imp_id,
                F.c.student_id.in_(select(S.c.id).where(S.c.import_id == imp_id)),
            )
        )
    if checked.findings:
        rows = []
        for f in checked.findings:
            sid = None
            if f.index is not None and f.index not in same_as:
                sid = target[f.index] or sid_of.get(f.index)
            rows.append((sid, f.row, f.field, f.code, f.severity, f.message, f.original, f.fixed))
        finding_keys = ("student_id", "row", "field", "code", "severity", "message", "original", "fixed")
        _executemany(conn, insert(F).values(import_id=imp_lit), finding_keys, rows)

    # --- major -> college, learnt from a roster that has the college column ---------------
    if V[COLLEGE] is not None:
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

    flagged = len([i for i in error_rows if i not in same_as])
    warned = len([i for i in warning_rows if i not in same_as])
    imp.imported = n_new
    imp.updated = updated
    imp.flagged = flagged
    imp.warnings = warned
    result = ImportResult(
        import_id=imp_id,
        checked=checked,
        rows_read=n,
        imported=n_new,
        updated=updated,
        unchanged=unchanged,
        deactivated=deactivated,
        reactivated=reactivated,
        flagged=flagged,
        warned=warned,
        errors=checked.errors,
        warnings=checked.warnings,
        new_schools=new_schools,
    )
    entry = audit.record(
        session,
        "roster_import",
        scope={"import_id": imp_id, "sheet": raw.sheet, "header_row": raw.header_row},
        rows=n,
        encrypted=raw.encrypted,
        details=json.dumps(result.summary(), ensure_ascii=False),
    )
    entry.path = imp.file_name  # the hash is already known: no second pass over the file
    entry.file_sha256 = imp.file_sha256
    timings["findings"] = time.perf_counter() - t3 - timings["insert"]
    if sqlite:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(old_cache)}")
    t4 = time.perf_counter()
    session.commit()
    timings["commit"] = time.perf_counter() - t4
    result.seconds = time.perf_counter() - t0
    timings["total"] = result.seconds
    result.timings = timings
    report("done", n, n)
    return result
