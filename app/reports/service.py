"""One call per user action, shared by the `station` command and the window.

Each function does the whole step: resolve the period, build, write (encrypted
with a password), leave the audit record, commit. The window calls them from a
worker thread with its own session and shows the returned object; the
command prints it. Nothing here imports Qt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from app import audit, schools
from app.crypto import check_password
from app.delivery_plan import MANIFEST, conflict_gate
from app.export import export_encrypted, export_photos
from app.period import Period, resolve, split_time
from app.reports import errata, reconcile


def default_period(session: Session, name: str | None = None, *, day: str | None = None,
                   since: str | None = None, until: str | None = None) -> Period:
    """The period from the command's options; with none, the half day we are in now."""
    return resolve(split=split_time(session), name=name, day=day, since=since, until=until)


def reconcile_report(
    session: Session,
    out: str | Path | None,
    *,
    period: Period | None = None,
    college: str | None = None,
    class_name: str | None = None,
    whole_roster: bool = False,
    password: str | None = None,
    school: str | None = None,
    default_current_school: bool = False,
):
    """Build the reconciliation; with ``out``, write the workbook and audit it. Returns the Reconciliation.

    ``school``: see :func:`app.schools.resolve` (a database with several schools reports one at a time).
    """
    check_password(password)
    school = schools.resolve(session, school, default_current=default_current_school)
    per = period or default_period(session)
    rec = reconcile.build(session, per, college=college, class_name=class_name, whole_roster=whole_roster,
                          school=school)
    if out:
        path = reconcile.write(rec, out, password)
        audit.record(
            session,
            "report_reconcile",
            scope={"period": per.to_dict(), "school": school, "college": college, "class": class_name,
                   "whole_roster": whole_roster, "scope": rec.scope},
            rows=rec.totals.roster,
            path=path,
            encrypted=bool(password),
        )
        session.commit()
    return rec


def errata_report(
    session: Session,
    out: str | Path,
    *,
    college: str | None = None,
    class_name: str | None = None,
    password: str | None = None,
    school: str | None = None,
    default_current_school: bool = False,
):
    """Write the errata form (attachment 3) and audit it. Returns the Errata. ``school``: see reconcile_report."""
    check_password(password)
    school = schools.resolve(session, school, default_current=default_current_school)
    form = errata.build(session, college=college, class_name=class_name, school=school)
    path = errata.write(form, out, password)
    audit.record(session, "report_errata", scope={"school": school, "college": college, "class": class_name},
                 rows=len(form.rows),
                 path=path, encrypted=bool(password))
    session.commit()
    return form


def export_delivery(
    session: Session,
    out: str | Path,
    *,
    fmt: str = "chsi",
    college: str | None = None,
    class_name: str | None = None,
    password: str | None = None,
    staging: str | Path | None = None,
    proof_sheets: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel=None,
    school: str | None = None,
    allow_conflicts: bool = False,
    default_current_school: bool = False,
):
    """The photo delivery into folder ``out``, or with a password into the AES zip ``out`` (.zip added).

    ``cancel`` (a ``threading.Event``) stops it between students: :class:`app.export.ExportCancelled`.
    ``school``: see :func:`app.schools.resolve` (several schools need one; the window
    passes ``default_current_school``). Undecided merge conflicts raise
    :class:`app.delivery_plan.ConflictsBlockDelivery` before anything is written, unless ``allow_conflicts``.

    Returns the :class:`app.export.ExportResult`.
    """
    check_password(password)
    school = schools.resolve(session, school, default_current=default_current_school)
    if not allow_conflicts:
        conflict_gate(session, school=school, college=college, class_name=class_name)
    out = Path(out)
    zip_path = None
    if password:
        zip_path = out if out.suffix.lower() == ".zip" else out.with_name(out.name + ".zip")
        root = None
    else:
        root = out
    if zip_path is not None:  # plain files only in a private staging folder, removed on every way out
        res = export_encrypted(session, zip_path, password, staging=staging, profile=fmt, college=college,
                               class_name=class_name, proof_sheets=proof_sheets, progress=progress,
                               cancel=cancel, school=school, allow_conflicts=allow_conflicts)
    else:
        res = export_photos(session, root, profile=fmt, college=college, class_name=class_name,
                            proof_sheets=proof_sheets, progress=progress, cancel=cancel, school=school,
                            allow_conflicts=allow_conflicts)
    audit.record(
        session,
        "export_photos",
        scope={"format": fmt, "school": school, "college": college, "class": class_name, "out": str(zip_path or root),
               "allow_conflicts": allow_conflicts},
        rows=res.exported,
        path=zip_path or (root / f"{MANIFEST}.csv"),
        encrypted=bool(password),
        details=json.dumps(res.summary(), ensure_ascii=False),
    )
    session.commit()
    return res
