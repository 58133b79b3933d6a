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

The steps, one module each: read (:mod:`app.roster.reader`) → validate
(:mod:`app.roster.validate`) → match the students already in the database
(:mod:`app.roster.import_match`) → write (:mod:`app.roster.import_write`: Core
executemany, indexes rebuilt after a large first import).
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import literal_column
from sqlalchemy.orm import Session

from app import audit
from app.models import RosterImport, now
from app.roster import import_write
from app.roster.import_match import (
    REMOVE_WITHOUT_CONFIRM,
    Removal,
    RemovalNeedsConfirmation,
    match_existing,
)
from app.roster.reader import read_roster
from app.roster.validate import CheckedRoster, validate

Progress = Callable[[str, int, int], None]

__all__ = [
    "REMOVE_WITHOUT_CONFIRM",
    "ImportResult",
    "Progress",
    "Removal",
    "RemovalNeedsConfirmation",
    "bulk_work",
    "check_roster",
    "import_roster",
]


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
    """The import itself (see :func:`import_roster`): read → validate → match → write, one transaction."""
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
    n = checked.n

    t1 = time.perf_counter()
    derived = import_write.derive(session, checked)
    timings["derive"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    matched = match_existing(session, checked, derived.colleges, replace=replace)  # may raise: nothing written yet
    timings["match"] = time.perf_counter() - t2

    t1b = time.perf_counter()
    imp = _import_record(session, path, checked)
    stamp = now()
    timings["record"] = time.perf_counter() - t1b

    t2b = time.perf_counter()
    plan = import_write.plan_rows(checked, import_write.columns(checked, derived), matched)
    report("write", 0, plan.n_writes)
    timings["rows"] = time.perf_counter() - t2b

    t3 = time.perf_counter()
    conn = session.connection()
    sqlite = session.get_bind().dialect.name == "sqlite"
    n_new = plan.n_new
    rebuild = sqlite and n_new >= import_write._REBUILD_INDEXES_FROM and n_new >= matched.existing_count
    if sqlite:
        old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MiB while the indexes grow
    when = import_write.datetime_literal(session, stamp)
    imp_lit = literal_column(str(int(imp.id)))
    sid_of = import_write.write_students(conn, plan, imp_lit, when, rebuild=rebuild)
    timings["insert"] = time.perf_counter() - t3

    if matched.existing_count:
        import_write.deactivate(conn, imp.id, matched.to_remove, when)
    import_write.write_findings(conn, checked, matched.target, sid_of, imp_lit)
    import_write.learn_colleges(session, checked)
    result = _result(imp, checked, plan, matched)
    _audit(session, imp, checked, result)
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


def _import_record(session: Session, path: Path, checked: CheckedRoster) -> RosterImport:
    imp = RosterImport(
        file_name=str(path.resolve()),
        file_sha256=audit.file_sha256(path),
        sheet=checked.raw.sheet,
        rows_read=checked.n,
    )
    session.add(imp)
    session.flush()
    return imp


def _result(imp: RosterImport, checked: CheckedRoster, plan: import_write.RowPlan, matched) -> ImportResult:
    same_as = checked.same_as
    flagged = len([i for i in checked.error_rows if i not in same_as])
    warned = len([i for i in checked.warning_rows - checked.error_rows if i not in same_as])
    imp.imported = plan.n_new
    imp.updated = plan.updated
    imp.flagged = flagged
    imp.warnings = warned
    return ImportResult(
        import_id=imp.id,
        checked=checked,
        rows_read=checked.n,
        imported=plan.n_new,
        updated=plan.updated,
        unchanged=plan.unchanged,
        deactivated=len(matched.to_remove),
        reactivated=plan.reactivated,
        flagged=flagged,
        warned=warned,
        errors=checked.errors,
        warnings=checked.warnings,
        new_schools=matched.new_schools,
    )


def _audit(session: Session, imp: RosterImport, checked: CheckedRoster, result: ImportResult) -> None:
    raw = checked.raw
    entry = audit.record(
        session,
        "roster_import",
        scope={"import_id": imp.id, "sheet": raw.sheet, "header_row": raw.header_row},
        rows=checked.n,
        encrypted=raw.encrypted,
        details=json.dumps(result.summary(), ensure_ascii=False),
    )
    entry.path = imp.file_name  # the hash is already known: no second pass over the file
    entry.file_sha256 = imp.file_sha256
