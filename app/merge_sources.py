"""Merging, what comes in: a station's database read through a snapshot and checked, its rows matched
with the target's, its photos found, copied and verified (before the target's write lock is taken).

The rules themselves (which rows are added, how two selections become a conflict) are applied by
:func:`app.merge.merge_session`; see app/merge.py for the whole picture.
"""

from __future__ import annotations

import ast
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import _MIGRATIONS, _REV_RE
from app.errors import InputError, NotFound, StationError
from app.models import Absence, DataIssue, Shot, Station, Student
from app.privacy import mask_id
from capture.atomic import copy_atomic, sha256_file


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


def pairs_by_key(session: Session, key, value, keys: list) -> dict:
    """{key: value} for the target rows whose ``key`` is one of ``keys`` (read in chunks)."""
    out: dict = {}
    keys = sorted(set(keys))
    for i in range(0, len(keys), 500):
        out.update(session.execute(select(key, value).where(key.in_(keys[i:i + 500]))).all())
    return out


def rows_of(session: Session, model) -> list[dict]:
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


class StudentMatcher:
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
    stations = {r["id"]: r for r in rows_of(source, Station)}
    placed: dict[str, tuple[str | None, str | None]] = {}
    for r in rows_of(source, Shot):
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


def known_revisions() -> set[str]:
    """Every schema revision this program knows (its migrations' revision ids)."""
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


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None
