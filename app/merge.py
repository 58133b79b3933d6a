"""Merging the databases of a site's stations, so reports and delivery cover the whole school.

``station merge OTHER.db... [--into SITE.db]`` reads each station's database
(through a snapshot taken with SQLite's backup API: the source is never
modified, and a station still running keeps running) and adds what the target
does not have yet. Rows are recognised by their ``uid``, so merging the same
database twice changes nothing the second time.

- Students: the stations imported the same roster separately, so a student is
  matched by uid, else student number + ID number, else a unique ID number,
  else a unique student number with the same name; only a student no station
  shares (e.g. one added at the camera) is inserted.
- Shots keep their uid. Their photo file is looked for where the source
  recorded it and, failing that, under the source database's folder (a
  station's folder copied to a USB stick); found files are copied into the
  site's photo store (``merged_photos/`` beside the target database) and
  verified against the shot's sha256.
- Selections: a student has one. If the target has none, the incoming one is
  added; if both stations selected a shot, the target's stays, is flagged
  ``needs_decision`` and a :class:`MergeConflict` records the other shot
  (``station merge --conflicts`` lists them, ``--choose`` decides).
- Absences, data issues, sign-sheet counts, marshal calls and audit records
  come across by uid.

Layers: :mod:`app.merge_sources` (the source read and checked, rows matched,
photos placed) and this module (the rules applied in one transaction, the
files merged one by one, conflicts decided).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app import audit
from app.db import Database, open_db, resolve_url
from app.errors import InputError, NotFound
from app.merge_sources import (
    MergeResult,
    StudentMatcher,
    check_schema,
    not_taken,
    pairs_by_key,
    place_photos,
    rows_of,
    snapshot,
    sqlite_path,
)
from app.models import (
    Absence,
    AuditLog,
    DataIssue,
    MajorCollege,
    MarshalCall,
    MergeConflict,
    RosterFinding,
    RosterImport,
    Selection,
    ShootingSession,
    Shot,
    SignSheetCount,
    Station,
    Student,
    now,
)
from app.privacy import mask_id

PHOTO_STORE = "merged_photos"


@dataclass
class _Sel:
    id: int | None
    uid: str
    student_id: int
    shot_id: int


def merge_session(
    target: Session,
    source: Session,
    *,
    source_label: str,
    source_dir: Path | None,
    photo_store: Path | None,
    placed: dict[str, tuple[str | None, str | None]] | None = None,
    result: MergeResult | None = None,
) -> MergeResult:
    """Merge everything of ``source`` into ``target`` (one transaction; the caller commits).

    ``placed``: the photos :func:`place_photos` already copied (it runs before
    the target's write lock is taken); without it they are placed here.
    """
    res = result if result is not None else MergeResult(source_label)
    if placed is None:
        placed = place_photos(target, source, source_dir=source_dir, photo_store=photo_store, res=res) if source_dir else {}
    not_taken(target, source, res)

    # stations and sessions
    st_map: dict[int, int] = {}
    known = dict(target.execute(select(Station.uid, Station.id)).all())
    for r in rows_of(source, Station):
        if r["uid"] in known:
            st_map[r["id"]] = known[r["uid"]]
            continue
        tid = target.execute(
            insert(Station).values(uid=r["uid"], number=r["number"], name=r["name"], is_local=False, created_at=r["created_at"])
        ).inserted_primary_key[0]
        st_map[r["id"]] = known[r["uid"]] = tid
        res.stations += 1
    sess_map: dict[int, int] = {}
    known = dict(target.execute(select(ShootingSession.uid, ShootingSession.id)).all())
    for r in rows_of(source, ShootingSession):
        if r["uid"] not in known:
            vals = {k: v for k, v in r.items() if k != "id"}
            vals["station_id"] = st_map[r["station_id"]]
            known[r["uid"]] = target.execute(insert(ShootingSession).values(**vals)).inserted_primary_key[0]
        sess_map[r["id"]] = known[r["uid"]]

    # students
    source_students = rows_of(source, Student)
    matcher = StudentMatcher(target, source_students)
    stu_map: dict[int, int] = {}
    added_students: list[dict] = []
    for s in source_students:
        tid = matcher.find(s)
        if tid is None:
            added_students.append(s)
        else:
            stu_map[s["id"]] = tid
            res.students_matched += 1
    if added_students:
        imp_map: dict[int, int] = {}
        known_imp = {(r.file_sha256, r.imported_at): r.id for r in target.execute(select(RosterImport.id, RosterImport.file_sha256, RosterImport.imported_at))}
        for r in rows_of(source, RosterImport):
            key = (r["file_sha256"], r["imported_at"])
            if key not in known_imp:
                known_imp[key] = target.execute(insert(RosterImport).values(**{k: v for k, v in r.items() if k != "id"})).inserted_primary_key[0]
            imp_map[r["id"]] = known_imp[key]
        batch = []
        for s in added_students:
            vals = {k: v for k, v in s.items() if k != "id"}
            vals["import_id"] = imp_map.get(s["import_id"]) if s["import_id"] else None
            batch.append(vals)
        target.execute(insert(Student.__table__), batch)  # Core executemany: no per-row ORM work
        new_ids = pairs_by_key(target, Student.uid, Student.id, [s["uid"] for s in added_students])
        for s in added_students:
            tid = new_ids[s["uid"]]
            stu_map[s["id"]] = tid
            matcher.add(s, tid)
            res.students_added += 1
        added_ids = {s["id"] for s in added_students}
        findings = []
        for f in rows_of(source, RosterFinding):
            if f["student_id"] in added_ids:
                vals = {k: v for k, v in f.items() if k != "id"}
                vals["student_id"] = stu_map[f["student_id"]]
                vals["import_id"] = imp_map[f["import_id"]]
                findings.append(vals)
        if findings:
            target.execute(insert(RosterFinding.__table__), findings)
    have_majors = set(target.scalars(select(MajorCollege.major)))
    for r in rows_of(source, MajorCollege):
        if r["major"] not in have_majors:
            target.execute(insert(MajorCollege).values(**r))

    # shots
    shot_map: dict[int, int] = {}
    source_shots = rows_of(source, Shot)
    known = pairs_by_key(target, Shot.uid, Shot.id, [r["uid"] for r in source_shots])
    new_shots = []
    for r in source_shots:
        if r["uid"] in known:
            shot_map[r["id"]] = known[r["uid"]]
            res.shots_known += 1
            continue
        vals = {k: v for k, v in r.items() if k != "id"}
        vals["student_id"] = stu_map.get(r["student_id"]) if r["student_id"] else None
        vals["station_id"] = st_map[r["station_id"]]
        vals["session_id"] = sess_map.get(r["session_id"]) if r["session_id"] else None
        if r["uid"] in placed:
            path, comp = placed[r["uid"]]
            if path is not None:
                vals["path"] = path
            if comp is not None:
                vals["companion_path"] = comp
        new_shots.append((r["id"], vals))
    if new_shots:
        target.execute(insert(Shot.__table__), [vals for _, vals in new_shots])
        known = pairs_by_key(target, Shot.uid, Shot.id, [vals["uid"] for _, vals in new_shots])
        for sid, vals in new_shots:
            shot_map[sid] = known[vals["uid"]]
        res.shots_added = len(new_shots)

    # selections (one per student) and conflicts
    source_sels = rows_of(source, Selection)
    touched = sorted({stu_map[r["student_id"]] for r in source_sels if r["student_id"] in stu_map})
    have_sel = {}
    for i in range(0, len(touched), 500):
        for r in target.execute(select(Selection.id, Selection.uid, Selection.student_id, Selection.shot_id)
                                .where(Selection.student_id.in_(touched[i:i + 500]))):
            have_sel[r.student_id] = r
    sel_uids = [r["uid"] for r in source_sels]
    seen = set(pairs_by_key(target, Selection.uid, Selection.id, sel_uids)) | set(pairs_by_key(target, MergeConflict.uid, MergeConflict.id, sel_uids))
    new_selections = []
    for r in source_sels:
        if r["uid"] in seen:
            continue
        student = stu_map[r["student_id"]]
        shot = shot_map[r["shot_id"]]
        mine = have_sel.get(student)
        if mine is None:
            vals = {k: v for k, v in r.items() if k != "id"}
            vals.update(student_id=student, shot_id=shot, station_id=st_map[r["station_id"]])
            new_selections.append(vals)
            have_sel[student] = _Sel(None, vals["uid"], student, shot)
        elif mine.shot_id != shot:
            target.execute(
                insert(MergeConflict).values(
                    uid=r["uid"],
                    student_id=student,
                    kept_shot_id=mine.shot_id,
                    other_shot_id=shot,
                    other_station_id=st_map[r["station_id"]],
                    source=source_label,
                    found_at=now(),
                )
            )
            target.execute(
                update(Selection.__table__).where(Selection.__table__.c.student_id == student).values(needs_decision=True)
            )
            res.conflicts += 1
        seen.add(r["uid"])
    if new_selections:
        target.execute(insert(Selection.__table__), new_selections)
        res.selections_added = len(new_selections)

    # the rest, by uid
    def by_uid(model, remap) -> int:
        rows = rows_of(source, model)
        known = set(pairs_by_key(target, model.uid, model.id, [r["uid"] for r in rows]))
        batch = []
        for r in rows:
            if r["uid"] in known:
                continue
            vals = {k: v for k, v in r.items() if k != "id"}
            if remap(vals) is False:
                continue
            batch.append(vals)
            known.add(r["uid"])
        if batch:
            target.execute(insert(model.__table__), batch)
        return len(batch)

    def remap_student_station(vals):
        if vals.get("student_id") is not None:
            vals["student_id"] = stu_map.get(vals["student_id"])
            if vals["student_id"] is None:
                return False
        if vals.get("station_id") is not None:
            vals["station_id"] = st_map.get(vals["station_id"])

    res.absences_added = by_uid(Absence, remap_student_station)
    res.issues_added = by_uid(DataIssue, remap_student_station)
    res.audit_added = by_uid(AuditLog, lambda v: None)
    by_uid(MarshalCall, remap_student_station)

    sign_known = {
        (r.day, r.college, r.class_name, r.group_no): (r.uid, r.signed_count)
        for r in target.execute(select(SignSheetCount.uid, SignSheetCount.day, SignSheetCount.college, SignSheetCount.class_name, SignSheetCount.group_no, SignSheetCount.signed_count))
    }
    for r in rows_of(source, SignSheetCount):
        key = (r["day"], r["college"], r["class_name"], r["group_no"])
        if key in sign_known:
            uid, count = sign_known[key]
            if uid != r["uid"] and count != r["signed_count"]:
                res.sign_count_conflicts.append(f"{r['day']} {r['class_name']} 第{r['group_no']}组: {count} / {r['signed_count']}")
            continue
        target.execute(insert(SignSheetCount).values(**{k: v for k, v in r.items() if k != "id"}))
        sign_known[key] = (r["uid"], r["signed_count"])
        res.sign_counts_added += 1

    per_student: dict[int, set[int]] = defaultdict(set)
    for sid, stid in target.execute(select(Shot.student_id, Shot.station_id).where(Shot.student_id.is_not(None))):
        per_student[sid].add(stid)
    multi = sorted(sid for sid, v in per_student.items() if len(v) > 1)
    res.multi_station_students = len(multi)
    if multi:
        names = dict(target.execute(select(Station.id, Station.name)).all())
        for i in range(0, len(multi), 500):
            for st in target.execute(
                select(Student.id, Student.class_name, Student.student_no, Student.name, Student.id_number).where(
                    Student.id.in_(multi[i : i + 500])
                )
            ):
                where = "、".join(sorted(names.get(x, "?") for x in per_student[st.id]))
                res.multi_station.append(f"{st.class_name} {st.student_no} {st.name} {mask_id(st.id_number)} ({where})")
    return res


def merge_files(target: Database, sources: list[str], *, copy_photos: bool = True, photo_store: Path | None = None,
                photo_roots: list[Path] | tuple[Path, ...] = ()) -> list[MergeResult]:
    """Merge each source database file into ``target``; one transaction and one audit record per source."""
    target_path = sqlite_path(target.url)
    if photo_store is None and copy_photos:
        if target_path is None:
            raise InputError("目标不是 SQLite 文件: 请用 --photos-dir 指定照片存放位置")
        photo_store = target_path.parent / PHOTO_STORE
    results = []
    with tempfile.TemporaryDirectory(prefix="station-merge-") as tmp:
        for src in sources:
            url = resolve_url(src)
            src_path = sqlite_path(url)
            if src_path is not None and target_path is not None and src_path.resolve() == target_path.resolve():
                raise InputError(f"不能把数据库合并到它自己: {src}")
            if src_path is not None:
                snap = snapshot(src_path, Path(tmp))
                check_schema(snap, src)
                source_db = open_db(f"sqlite:///{snap}")
                label, source_dir = str(src_path.resolve()), src_path.resolve().parent
            else:
                source_db = open_db(url, migrate_schema=False)
                label, source_dir = url, None
            try:
                with target.session() as t, source_db.session() as s:
                    store = photo_store if copy_photos else None
                    res = MergeResult(label)
                    # photos first, only reading the target: its write lock is held for the rows alone
                    placed = place_photos(t, s, source_dir=source_dir, photo_store=store, res=res,
                                          roots=tuple(Path(r) for r in photo_roots)) if source_dir else {}
                    t.rollback()  # end the read, so the writes below start from the newest state
                    res = merge_session(
                        t, s, source_label=label, source_dir=source_dir, photo_store=store, placed=placed, result=res
                    )
                    audit.record(t, "merge", scope={"source": label}, rows=res.shots_added, details=str(res.summary()))
                    t.commit()
            finally:
                source_db.dispose()
            results.append(res)
    return results


# --- deciding conflicts -----------------------------------------------------------------


def open_conflicts(session: Session) -> list[MergeConflict]:
    return list(session.scalars(select(MergeConflict).where(MergeConflict.decided_at.is_(None)).order_by(MergeConflict.id)))


def choose(session: Session, shot_ref: str) -> Selection:
    """Make the shot (uid or a unique uid prefix of 6+ characters) its student's selection."""
    ref = shot_ref.strip().lower()
    if len(ref) < 6:
        raise InputError("请给出照片编号的至少 6 位 (见 station merge --conflicts)")
    shots = list(session.scalars(select(Shot).where(Shot.uid.startswith(ref))))
    if len(shots) != 1:
        raise NotFound(f"照片编号 {shot_ref} 匹配 {len(shots)} 张照片")
    shot = shots[0]
    if shot.student_id is None:
        raise InputError("这张照片还没有对应的学生")
    sel = session.scalar(select(Selection).where(Selection.student_id == shot.student_id))
    if sel is None:
        sel = Selection(student_id=shot.student_id, shot_id=shot.id, station_id=shot.station_id)
        session.add(sel)
    else:
        sel.shot_id, sel.station_id, sel.selected_at = shot.id, shot.station_id, now()
    sel.needs_decision = False
    sel.override_reason = shot.override_reason
    for c in session.scalars(select(MergeConflict).where(MergeConflict.student_id == shot.student_id, MergeConflict.decided_at.is_(None))):
        c.decided_at, c.chosen_shot_id = now(), shot.id
    session.flush()
    return sel
