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
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.db import Database, open_db
from app.errors import InputError, NotFound, StationError
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
from capture.durable import copy_atomic, sha256_file

PHOTO_STORE = "merged_photos"


@dataclass
class MergeResult:
    source: str
    stations: int = 0
    students_matched: int = 0
    students_added: int = 0
    shots_added: int = 0
    shots_known: int = 0
    photos_copied: int = 0
    photos_missing: list[str] = field(default_factory=list)
    photos_refused: list[str] = field(default_factory=list)  # paths outside the source's folder, not read
    not_taken: list[str] = field(default_factory=list)  # same uid, different data: the target's row stays
    selections_added: int = 0
    conflicts: int = 0
    absences_added: int = 0
    issues_added: int = 0
    sign_counts_added: int = 0
    sign_count_conflicts: list[str] = field(default_factory=list)
    audit_added: int = 0
    multi_station_students: int = 0
    multi_station: list[str] = field(default_factory=list)  # "班级 学号 姓名 (机位1、机位2)", ID masked

    def summary(self) -> dict:
        d = dict(self.__dict__)
        d["photos_missing"] = len(self.photos_missing)
        d["photos_refused"] = len(self.photos_refused)
        d["not_taken"] = len(self.not_taken)
        d["multi_station"] = len(self.multi_station)
        return d


@dataclass
class _Sel:
    id: int | None
    uid: str
    student_id: int
    shot_id: int


def _pairs(session: Session, key, value, keys: list) -> dict:
    """{key: value} for the target rows whose ``key`` is one of ``keys`` (read in chunks)."""
    out: dict = {}
    keys = sorted(set(keys))
    for i in range(0, len(keys), 500):
        out.update(session.execute(select(key, value).where(key.in_(keys[i:i + 500]))).all())
    return out


def _rows(session: Session, model) -> list[dict]:
    # Core rows (fetchall in one go), not ORM rows: a station holds 20,000 students
    return [dict(m) for m in session.connection().execute(select(model.__table__)).mappings().all()]


def snapshot(path: Path, into_dir: Path) -> Path:
    """A consistent copy of a SQLite database (WAL included) without writing to the original."""
    if not path.is_file():
        raise NotFound(f"找不到数据库文件: {path}")
    dst = into_dir / f"{path.stem}-{os.getpid()}.db"
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        out = sqlite3.connect(dst)
        with out:
            src.backup(out)
        src.close()
        out.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"不是可读的机位数据库: {path} ({exc})") from exc
    return dst


class _Matcher:
    """Finds the target's student for a source student (see the module docstring for the order)."""

    def __init__(self, session: Session, incoming: list[dict] | None = None):
        """``incoming``: the source students to be matched; the target is then read only for the
        rows that share a uid, student number or ID number with them (a small source against a
        20,000-student target, as a site sync is). The counts that make a number unique are the
        same either way: every target row carrying that number is read."""
        self.by_uid: dict[str, int] = {}
        self.by_pair: dict[tuple[str, str], int] = {}
        id_count: Counter[str] = Counter()
        no_count: Counter[str] = Counter()
        cols = (Student.id, Student.uid, Student.student_no, Student.id_number, Student.name)
        if incoming is None:
            rows = session.connection().execute(select(*cols)).all()
        else:
            found: dict[int, Any] = {}
            for col, key in ((Student.uid, "uid"), (Student.student_no, "student_no"), (Student.id_number, "id_number")):
                values = sorted({s[key] for s in incoming if s[key]})
                for i in range(0, len(values), 500):
                    for r in session.connection().execute(select(*cols).where(col.in_(values[i:i + 500]))):
                        found[r.id] = r
            rows = list(found.values())
        for r in rows:
            id_count[r.id_number] += 1
            no_count[r.student_no] += 1
        self.by_id = {}
        self.by_no = {}
        for r in rows:
            self.by_uid[r.uid] = r.id
            if r.student_no or r.id_number:
                self.by_pair.setdefault((r.student_no, r.id_number), r.id)
            if r.id_number and id_count[r.id_number] == 1:
                self.by_id[r.id_number] = r.id
            if r.student_no and no_count[r.student_no] == 1:
                self.by_no[r.student_no] = (r.id, r.name)

    def find(self, s: dict) -> int | None:
        tid = self.by_uid.get(s["uid"])
        if tid is None and (s["student_no"] or s["id_number"]):
            tid = self.by_pair.get((s["student_no"], s["id_number"]))
        if tid is None and s["id_number"]:
            tid = self.by_id.get(s["id_number"])
        if tid is None and s["student_no"] in self.by_no:
            cand, name = self.by_no[s["student_no"]]
            if name == s["name"]:
                tid = cand
        return tid

    def add(self, s: dict, tid: int) -> None:
        self.by_uid[s["uid"]] = tid
        self.by_pair.setdefault((s["student_no"], s["id_number"]), tid)


def _inside(p: Path, root: Path) -> Path | None:
    """``p`` resolved (symlinks followed), if it is a file inside ``root``; else None."""
    try:
        r = p.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    root = root.resolve()
    return r if root in r.parents and r.is_file() else None


def _find_photo(path: str, source_dir: Path, refused: list[str] | None = None,
                roots: tuple[Path, ...] = ()) -> Path | None:
    """The photo a source shot records, looked for only inside the source database's folder.

    The recorded path itself if it lies inside that folder (or one of the
    folders the operator named with ``--photos-from``, ``roots``), else the
    longest tail of it that does (a station's folder copied to a USB stick).
    A path outside them, or one that leads out (``..``, a symlink), is never
    read: a crafted database must not copy /etc/passwd into the site's photo
    store. Such a path is appended to ``refused``.
    """
    p = Path(path)
    parts = [x for x in (p.parts[1:] if p.is_absolute() else p.parts)]
    bases = (source_dir, *roots)
    cands = ([p] if p.is_absolute() else []) + [b.joinpath(*parts[i:]) for i in range(len(parts)) for b in bases]
    outside = False
    for cand in cands:  # the longest tail first: captures/2019-03-16/x.jpg before x.jpg
        try:
            exists = cand.is_file()
        except OSError:
            exists = False
        if not exists:
            continue
        for base in bases:
            found = _inside(cand, base)
            if found is not None:
                return found
        outside = True
    if outside and refused is not None:
        refused.append(path)
    return None


def _store_path(store: Path, number: int, station_uid: str, shot_uid: str, name: str) -> Path:
    # the shot uid keeps two "IMG_0001.JPG" of one camera (card counter wrapped) apart
    return store / f"{number}_{station_uid[:8]}" / f"{shot_uid[:12]}_{name}"


def _copy_photo(src: Path, dst: Path, sha: str) -> None:
    if sha256_file(dst, missing_ok=True) == sha:
        return
    copy_atomic(src, dst, expect_sha256=sha,
                mismatch=lambda _dst: StationError(f"照片复制校验失败: {src}", exit_code=4))


def _copy_file(src: Path, dst: Path) -> None:
    copy_atomic(src, dst)


def place_photos(
    target: Session, source: Session, *, source_dir: Path, photo_store: Path | None, res: MergeResult,
    roots: tuple[Path, ...] = (),
) -> dict[str, tuple[str | None, str | None]]:
    """Find, copy and verify the photos of the shots the target lacks: {shot uid: (path, companion path)}.

    Runs before the merge writes anything, so the target's write lock is not
    held while photos are copied (690 photos take ~30 s; a `station shoot`
    beside the merge keeps recording). Only reads the target. ``None`` in the
    answer keeps the path as recorded (the file was not found).
    """
    known = set(target.scalars(select(Shot.uid)))
    stations = {r["id"]: r for r in _rows(source, Station)}
    placed: dict[str, tuple[str | None, str | None]] = {}
    for r in _rows(source, Shot):
        if r["uid"] in known:
            continue
        path = comp = None
        st = stations.get(r["station_id"]) or {"number": 0, "uid": "unknown0"}
        found = _find_photo(r["path"], source_dir, res.photos_refused, roots)
        if found is None:
            res.photos_missing.append(r["path"])
        elif photo_store is not None and photo_store.resolve() not in found.parents:
            if sha256_file(found) != r["sha256"]:
                res.photos_missing.append(f"{r['path']} (校验值不符)")
            else:
                dst = _store_path(photo_store, st["number"], st["uid"], r["uid"], found.name)
                _copy_photo(found, dst, r["sha256"])
                path = str(dst.resolve())
                res.photos_copied += 1
        else:
            path = str(found)
        if r.get("companion_path"):
            cfound = _find_photo(r["companion_path"], source_dir, res.photos_refused, roots)
            if cfound is not None and photo_store is not None:
                dst = _store_path(photo_store, st["number"], st["uid"], r["uid"], cfound.name)
                if not dst.is_file():
                    _copy_file(cfound, dst)
                comp = str(dst.resolve())
        placed[r["uid"]] = (path, comp)
    return placed


# what "the same row" compares, per table: rows with one uid and other values are reported, not taken
_COMPARED = {
    Student: ("name", "id_number", "student_no", "class_name", "college", "gender", "major"),
    Shot: ("sha256", "bytes", "taken_at"),
    Absence: ("reason",),
    DataIssue: ("kind", "field", "correct_value"),
}
_TABLE_NAMES = {Student: "学生", Shot: "照片", Absence: "缺席", DataIssue: "数据问题"}


def not_taken(target: Session, source: Session, res: MergeResult) -> None:
    """Rows whose uid the target already has with different data: the target's stay, each is reported."""
    from app.privacy import mask_id

    for model, cols in _COMPARED.items():
        cols = tuple(c for c in cols if c in model.__table__.c)
        table = model.__table__
        theirs = source.connection().execute(select(table.c.uid, *(table.c[c] for c in cols))).all()
        uids = [r.uid for r in theirs]
        ours = {}
        for i in range(0, len(uids), 500):  # only the rows the source also has (a small source stays cheap)
            for r in target.connection().execute(select(table.c.uid, *(table.c[c] for c in cols)).where(table.c.uid.in_(uids[i:i + 500]))):
                ours[r.uid] = r
        for r in theirs:
            mine = ours.get(r.uid)
            if mine is None:
                continue
            diffs = []
            for c in cols:
                a, b = getattr(mine, c), getattr(r, c)
                if a != b:
                    if c == "id_number":
                        a, b = mask_id(a or ""), mask_id(b or "")
                    diffs.append(f"{c}: {a} ≠ {b}")
            if diffs:
                res.not_taken.append(f"{_TABLE_NAMES[model]} {r.uid[:12]}: " + "; ".join(diffs))


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
    for r in _rows(source, Station):
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
    for r in _rows(source, ShootingSession):
        if r["uid"] not in known:
            vals = {k: v for k, v in r.items() if k != "id"}
            vals["station_id"] = st_map[r["station_id"]]
            known[r["uid"]] = target.execute(insert(ShootingSession).values(**vals)).inserted_primary_key[0]
        sess_map[r["id"]] = known[r["uid"]]

    # students
    source_students = _rows(source, Student)
    matcher = _Matcher(target, source_students)
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
        for r in _rows(source, RosterImport):
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
        new_ids = _pairs(target, Student.uid, Student.id, [s["uid"] for s in added_students])
        for s in added_students:
            tid = new_ids[s["uid"]]
            stu_map[s["id"]] = tid
            matcher.add(s, tid)
            res.students_added += 1
        added_ids = {s["id"] for s in added_students}
        findings = []
        for f in _rows(source, RosterFinding):
            if f["student_id"] in added_ids:
                vals = {k: v for k, v in f.items() if k != "id"}
                vals["student_id"] = stu_map[f["student_id"]]
                vals["import_id"] = imp_map[f["import_id"]]
                findings.append(vals)
        if findings:
            target.execute(insert(RosterFinding.__table__), findings)
    have_majors = set(target.scalars(select(MajorCollege.major)))
    for r in _rows(source, MajorCollege):
        if r["major"] not in have_majors:
            target.execute(insert(MajorCollege).values(**r))

    # shots
    shot_map: dict[int, int] = {}
    source_shots = _rows(source, Shot)
    known = _pairs(target, Shot.uid, Shot.id, [r["uid"] for r in source_shots])
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
        known = _pairs(target, Shot.uid, Shot.id, [vals["uid"] for _, vals in new_shots])
        for sid, vals in new_shots:
            shot_map[sid] = known[vals["uid"]]
        res.shots_added = len(new_shots)

    # selections (one per student) and conflicts
    source_sels = _rows(source, Selection)
    touched = sorted({stu_map[r["student_id"]] for r in source_sels if r["student_id"] in stu_map})
    have_sel = {}
    for i in range(0, len(touched), 500):
        for r in target.execute(select(Selection.id, Selection.uid, Selection.student_id, Selection.shot_id)
                                .where(Selection.student_id.in_(touched[i:i + 500]))):
            have_sel[r.student_id] = r
    sel_uids = [r["uid"] for r in source_sels]
    seen = set(_pairs(target, Selection.uid, Selection.id, sel_uids)) | set(_pairs(target, MergeConflict.uid, MergeConflict.id, sel_uids))
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
        rows = _rows(source, model)
        known = set(_pairs(target, model.uid, model.id, [r["uid"] for r in rows]))
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
    for r in _rows(source, SignSheetCount):
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
        from app.privacy import mask_id

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
    from app import audit
    from app.db import resolve_url

    target_path = _sqlite_path(target.url)
    if photo_store is None and copy_photos:
        if target_path is None:
            raise InputError("目标不是 SQLite 文件: 请用 --photos-dir 指定照片存放位置")
        photo_store = target_path.parent / PHOTO_STORE
    results = []
    with tempfile.TemporaryDirectory(prefix="station-merge-") as tmp:
        for src in sources:
            url = resolve_url(src)
            src_path = _sqlite_path(url)
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


def known_revisions() -> set[str]:
    """Every schema revision this program knows (its migrations' revision ids)."""
    import ast

    from app.db import _MIGRATIONS, _REV_RE

    out = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REV_RE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            out.add(ast.literal_eval(found["revision"].strip()))
    return out


REQUIRED_TABLES = {"alembic_version", "stations", "students", "shots", "selections"}


def check_schema(snap: Path, label: str) -> str:
    """The source's schema revision, if this program knows it; InputError (exit 2) for anything else.

    An unrelated SQLite file (no station tables) is refused, and so is a
    station database written by a newer version (a revision this program has
    no migration for): merging it would drop what it does not understand.
    """
    try:
        con = sqlite3.connect(f"file:{snap}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            rev = None
            if "alembic_version" in tables:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                rev = row[0] if row else None
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"不是可读的机位数据库: {label} ({exc})") from exc
    if not REQUIRED_TABLES <= tables or rev is None:
        raise InputError(
            f"{label} 不是机位数据库 (没有机位的数据表), 未合并。"
            f" / {label} is not a station database; nothing was merged."
        )
    if rev not in known_revisions():
        raise InputError(
            f"{label} 由更新版本的程序写入 (数据库版本 {rev}, 本机不认识), 未合并: 请先把本机升级到同一版本。"
            f" / {label} was written by a newer version (schema {rev}); update this station first."
        )
    return rev


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


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
