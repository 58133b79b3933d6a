"""`station purge --school S [--before DATE]`: a delivered school's photos and personal data, deleted.

After the hand-over (the centre has the delivery and the reconciliation is
signed) nothing of a school's students needs to stay on a shooting laptop.
This deletes, for the school's students (only those last touched before
``--before`` when given):

- every photo file of their shots (and RAW companions), overwritten with
  zeros, fsync'd and unlinked (on an SSD or a journalling file system the
  old blocks may survive the overwrite: full-disk encryption is what
  protects a laptop that leaves the site; see README);
- their rows: students, shots, selections, absences, data problems, roster
  findings, merge conflicts;
- what SQLite keeps of deleted rows: ``secure_delete`` zeroes freed pages,
  VACUUM and a WAL checkpoint rewrite the file.

It refuses a school that was not delivered since its last selection (no
``export_photos`` audit record after it) unless told ``undelivered=True``,
runs only after a confirmation (``--yes``), and leaves one audit record with
the counts (no names, no ID numbers).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app import audit
from app.audit import file_sha256
from app.errors import InputError, NotFound
from app.models import (
    Absence,
    AuditLog,
    DataIssue,
    MergeConflict,
    RosterFinding,
    Selection,
    Shot,
    Student,
)

log = logging.getLogger(__name__)


@dataclass
class PurgePlan:
    school: str
    before: datetime | None
    student_ids: list[int]
    shot_ids: list[int]
    files: list[tuple[Path, str, Path | None]]  # (photo, its recorded sha256, RAW companion)
    last_selected: datetime | None
    last_export: datetime | None

    @property
    def delivered(self) -> bool:
        return self.last_selected is None or (self.last_export is not None and self.last_export >= self.last_selected)


@dataclass
class PurgeResult:
    school: str
    students: int = 0
    shots: int = 0
    files_removed: int = 0
    files_missing: int = 0
    bytes_overwritten: int = 0
    errors: list[str] = field(default_factory=list)


def plan(session: Session, school: str, before: datetime | None = None) -> PurgePlan:
    ids = list(session.scalars(select(Student.id).where(Student.school == school)))
    if not ids:
        known = sorted(x for x in session.scalars(select(Student.school).distinct()) if x)
        raise NotFound(f"名单中没有学校 {school!r} (已有: {', '.join(known) or '无'})")
    if before is not None:
        last = dict(
            session.execute(select(Shot.student_id, func.max(Shot.taken_at)).where(Shot.student_id.in_(ids)).group_by(Shot.student_id)).all()
        )
        created = dict(session.execute(select(Student.id, Student.created_at).where(Student.id.in_(ids))).all())
        ids = [i for i in ids if (last.get(i) or created[i]) < before]
    shots = session.execute(
        select(Shot.id, Shot.path, Shot.sha256, Shot.companion_path).where(Shot.student_id.in_(ids))
    ).all() if ids else []
    files = [(Path(path), sha, Path(comp) if comp else None) for _sid, path, sha, comp in shots]
    last_sel = session.scalar(select(func.max(Selection.selected_at)).where(Selection.student_id.in_(ids))) if ids else None
    last_exp = session.scalar(select(func.max(AuditLog.at)).where(AuditLog.action == "export_photos"))
    return PurgePlan(school, before, ids, [s[0] for s in shots], files, last_sel, last_exp)


def shred(path: Path) -> int:
    """Overwrite a file with zeros, fsync it, unlink it; returns the bytes overwritten."""
    size = path.stat().st_size
    with open(path, "r+b", buffering=0) as f:
        block = bytes(1 << 20)
        left = size
        while left > 0:
            n = f.write(block[: min(left, len(block))])
            left -= n
        os.fsync(f.fileno())
    path.unlink()
    return size


def purge(session: Session, p: PurgePlan, *, undelivered: bool = False) -> PurgeResult:
    """Delete what ``p`` lists (the caller has confirmed); commits, then compacts the database."""
    if not p.delivered and not undelivered:
        raise InputError(
            f"{p.school} 在最后一次选定照片 ({p.last_selected:%Y-%m-%d %H:%M}) 之后还没有导出交付, 未删除。"
            "请先 station export photos, 或确认不需要交付后加 --undelivered。"
            f" / {p.school} was not delivered since its last selection; nothing was deleted."
        )
    res = PurgeResult(p.school, students=len(p.student_ids), shots=len(p.shot_ids))
    # files first, rows second: a crash in between leaves records of missing files, and running the purge
    # again finishes it; the other order would leave photo files that start-up recovery offers again

    for photo, sha, comp in p.files:
        try:
            if file_sha256(photo) != sha:  # not the photo that was recorded: never overwrite someone else's file
                res.errors.append(f"{photo}: 校验值与记录不符, 未删除 / not the recorded photo, kept")
                continue
            res.bytes_overwritten += shred(photo)
            res.files_removed += 1
            if comp is not None and comp.is_file():
                res.bytes_overwritten += shred(comp)
                res.files_removed += 1
        except FileNotFoundError:
            res.files_missing += 1
        except OSError as exc:
            res.errors.append(f"{photo}: {exc.strerror or exc}")
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
    ids, shot_ids = p.student_ids, p.shot_ids
    for i in range(0, max(len(ids), 1), 500):
        chunk = ids[i : i + 500]
        if not chunk:
            break
        shots_chunk = list(session.scalars(select(Shot.id).where(Shot.student_id.in_(chunk))))
        session.execute(delete(MergeConflict).where(or_(
            MergeConflict.student_id.in_(chunk), MergeConflict.kept_shot_id.in_(shots_chunk),
            MergeConflict.other_shot_id.in_(shots_chunk))))
        session.execute(delete(Selection).where(Selection.student_id.in_(chunk)))
        session.execute(delete(Absence).where(Absence.student_id.in_(chunk)))
        session.execute(delete(DataIssue).where(DataIssue.student_id.in_(chunk)))
        session.execute(delete(RosterFinding).where(RosterFinding.student_id.in_(chunk)))
        session.execute(delete(Shot).where(Shot.student_id.in_(chunk)))
        session.execute(delete(Student).where(Student.id.in_(chunk)))
    del shot_ids
    audit.record(session, "purge", scope={"school": p.school, "before": p.before.isoformat() if p.before else None},
                 rows=res.students, details=f"students {res.students}, shots {res.shots}, files {len(p.files)}")
    session.commit()
    compact(session)
    return res


def compact(session: Session) -> None:
    """VACUUM and checkpoint a SQLite database so deleted rows do not linger in free pages or the WAL."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    session.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM")
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def parse_before(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"日期格式应为 YYYY-MM-DD: {value}") from None


