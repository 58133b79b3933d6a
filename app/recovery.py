"""Start-up reconciliation of the capture folder with the database.

A photo is written durably first and recorded second, so a station killed
between the two leaves a file the database does not know. At start (and on
``station camera recover``) this module:

- finishes or sets aside interrupted writes: a ``.NAME.xxxx.part`` file from
  capture/durable.py that holds a complete JPEG gets its final name (without
  replacing anything); one that does not moves to ``.incomplete/`` and is
  reported (nothing is deleted);
- finds every photo file the database does not know, and returns it for
  assignment (the caller records it with :func:`record_unknown` as a Shot
  with ``student_id=None, source="recovered"``, and the window offers it);
- reports every shot of this station whose file is missing or whose
  sha256 differs from the recorded one; a missing file found elsewhere in
  the folder with the same checksum is reported as moved instead.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.i18n import t
from app.models import Shot, Station
from app.station import local_station
from capture.durable import CorruptImage, final_name_of_temp, is_jpeg_name, is_raw_name, publish, verify_jpeg
from capture.atomic import fsync_dir, fsync_file, sha256_file

INCOMPLETE_DIR = ".incomplete"


@dataclass(frozen=True)
class UnknownFile:
    """A photo in the capture folder that no shot records."""

    path: Path
    sha256: str
    bytes: int
    taken_at: datetime
    width: int | None = None
    height: int | None = None
    companions: tuple[Path, ...] = ()
    finished_from_temp: bool = False  # it was an interrupted write that recovery completed


@dataclass(frozen=True)
class ShotProblem:
    shot_id: int
    path: str
    problem: str  # "missing" | "changed" | "moved"
    expected_sha256: str
    actual_sha256: str | None = None
    new_path: str | None = None  # for "moved"


@dataclass
class RecoveryReport:
    folder: Path
    known: int = 0
    unknown: list[UnknownFile] = field(default_factory=list)
    unknown_raw: list[Path] = field(default_factory=list)  # RAW files with no JPEG beside them
    missing: list[ShotProblem] = field(default_factory=list)
    changed: list[ShotProblem] = field(default_factory=list)
    moved: list[ShotProblem] = field(default_factory=list)
    finished: list[Path] = field(default_factory=list)  # interrupted writes completed
    incomplete: list[Path] = field(default_factory=list)  # interrupted writes set aside
    ms: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.unknown or self.unknown_raw or self.missing or self.changed or self.moved or self.incomplete)

    def as_dict(self) -> dict:
        def conv(v):
            if isinstance(v, Path):
                return str(v)
            if isinstance(v, datetime):
                return v.isoformat(timespec="seconds")
            if isinstance(v, (list, tuple)):
                return [conv(x) for x in v]
            if isinstance(v, dict):
                return {k: conv(x) for k, x in v.items()}
            return v

        d = {k: conv(v) for k, v in asdict(self).items()}
        d["clean"] = self.clean
        return d

    def lines(self) -> list[str]:
        out = [
            t(
                f"照片文件夹 {self.folder}：已登记 {self.known} 个文件，未登记 {len(self.unknown)} 张，"
                f"记录缺文件 {len(self.missing)} 条，校验值不符 {len(self.changed)} 条，被移动 {len(self.moved)} 条",
                f"capture folder {self.folder}: {self.known} known files, {len(self.unknown)} unknown photos, "
                f"{len(self.missing)} records missing their file, {len(self.changed)} checksum mismatches, "
                f"{len(self.moved)} moved",
            )
        ]
        for u in self.unknown:
            extra = t("（中断的写入，已补全）", " (interrupted write, completed)") if u.finished_from_temp else ""
            out.append(t(f"未登记照片: {u.path}{extra}", f"unknown photo: {u.path}{extra}"))
        for p in self.unknown_raw:
            out.append(t(f"未登记的 RAW（无对应 JPEG）: {p}", f"unknown RAW with no JPEG: {p}"))
        for m in self.missing:
            out.append(t(f"记录 #{m.shot_id} 的文件不见了: {m.path}", f"shot #{m.shot_id} file missing: {m.path}"))
        for c in self.changed:
            out.append(t(f"记录 #{c.shot_id} 的文件校验值不符（已被修改或损坏）: {c.path}", f"shot #{c.shot_id} file changed or damaged: {c.path}"))
        for m in self.moved:
            out.append(t(f"记录 #{m.shot_id} 的文件被移到: {m.new_path}", f"shot #{m.shot_id} file moved to: {m.new_path}"))
        for p in self.incomplete:
            out.append(t(f"不完整的写入已移到: {p}", f"incomplete write set aside: {p}"))
        return out


def _norm(p: str | Path) -> str:
    return os.path.normcase(os.path.abspath(os.fspath(p)))


def _taken_at(path: Path) -> datetime:
    try:
        from PIL import Image

        with Image.open(path) as im:
            exif = im.getexif()
            raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
            if raw:
                return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except Exception:  # no or odd EXIF: the file's time is the next best
        pass
    return datetime.fromtimestamp(path.stat().st_mtime)


def _size(path: Path) -> tuple[int | None, int | None]:
    try:
        from PIL import Image

        with Image.open(path) as im:
            return im.size
    except Exception:
        return None, None


def finish_interrupted_writes(folder: Path, min_age_s: float = 10.0) -> tuple[list[Path], list[Path]]:
    """Complete or set aside ``.part`` files older than ``min_age_s`` (younger ones may be in progress).

    Returns (finished final paths, set-aside paths).
    """
    finished: list[Path] = []
    aside: list[Path] = []
    now = time.time()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            final_name = final_name_of_temp(name)
            if final_name is None:
                continue
            tmp = Path(dirpath) / name
            try:
                if now - tmp.stat().st_mtime < min_age_s:
                    continue
            except FileNotFoundError:
                continue
            ok = False
            if is_jpeg_name(final_name):
                try:
                    verify_jpeg(tmp.read_bytes())
                    ok = True
                except CorruptImage:
                    ok = False
            if ok:
                fsync_file(tmp)
                finished.append(publish(tmp, Path(dirpath) / final_name))
                fsync_dir(Path(dirpath))
            else:
                dest_dir = folder / INCOMPLETE_DIR
                dest_dir.mkdir(exist_ok=True)
                dest = dest_dir / name
                os.replace(tmp, dest)
                aside.append(dest)
    return finished, aside


def scan_capture_folder(
    session: Session,
    folder: str | Path,
    *,
    verify_hashes: bool = True,
    temp_min_age_s: float = 10.0,
    workers: int = 2,
) -> RecoveryReport:
    """Reconcile ``folder`` (searched recursively) with the shots of this station."""
    t0 = time.perf_counter()
    folder = Path(folder).expanduser().absolute()
    report = RecoveryReport(folder=folder)
    if folder.is_dir():
        report.finished, report.incomplete = finish_interrupted_writes(folder, temp_min_age_s)

    files: dict[str, Path] = {}
    if folder.is_dir():
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                if name.startswith(".") or not (is_jpeg_name(name) or is_raw_name(name)):
                    continue
                p = Path(dirpath) / name
                files[_norm(p)] = p

    local_ids = list(session.scalars(select(Station.id).where(Station.is_local.is_(True))))
    shots = list(session.scalars(select(Shot).where(Shot.station_id.in_(local_ids)))) if local_ids else []
    known: set[str] = set()
    for sh in shots:
        known.add(_norm(sh.path))
        if sh.companion_path:
            known.add(_norm(sh.companion_path))
    report.known = sum(1 for k in files if k in known)

    # Hash in parallel: hashlib releases the GIL, and a day's photos are several GB.
    def digest(p: Path) -> str | None:
        try:
            return sha256_file(p)
        except OSError:
            return None

    unknown_keys = [k for k in files if k not in known]
    to_check = [sh for sh in shots if _norm(sh.path) in files or os.path.exists(sh.path)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        unknown_sha = dict(zip(unknown_keys, pool.map(lambda k: digest(files[k]), unknown_keys)))
        if verify_hashes:
            shot_sha = dict(zip([sh.id for sh in to_check], pool.map(lambda sh: digest(Path(sh.path)), to_check)))
        else:
            shot_sha = {}

    by_sha: dict[str, str] = {}
    for k in unknown_keys:
        if unknown_sha.get(k) and is_jpeg_name(files[k].name):
            by_sha.setdefault(unknown_sha[k], k)
    moved_keys: set[str] = set()
    for sh in shots:
        p = Path(sh.path)
        if not p.exists():
            new = by_sha.get(sh.sha256)
            if new is not None and new not in moved_keys:
                moved_keys.add(new)
                report.moved.append(
                    ShotProblem(sh.id, sh.path, "moved", sh.sha256, sh.sha256, new_path=str(files[new]))
                )
            else:
                report.missing.append(ShotProblem(sh.id, sh.path, "missing", sh.sha256))
            continue
        if verify_hashes:
            actual = shot_sha.get(sh.id)
            if actual != sh.sha256:
                report.changed.append(ShotProblem(sh.id, sh.path, "changed", sh.sha256, actual))
        elif p.stat().st_size != sh.bytes:
            report.changed.append(ShotProblem(sh.id, sh.path, "changed", sh.sha256, None))

    finished = {_norm(p) for p in report.finished}
    remaining = [k for k in unknown_keys if k not in moved_keys]
    jpegs = [k for k in remaining if is_jpeg_name(files[k].name)]
    raws = [k for k in remaining if is_raw_name(files[k].name)]
    raw_by_stem: dict[tuple[str, str], list[str]] = {}
    for k in raws:
        p = files[k]
        raw_by_stem.setdefault((str(p.parent), p.stem.lower()), []).append(k)
    for k in sorted(jpegs, key=lambda k: files[k].stat().st_mtime):
        p = files[k]
        sha = unknown_sha.get(k)
        if sha is None:
            continue
        comps = raw_by_stem.pop((str(p.parent), p.stem.lower()), [])
        w, h = _size(p)
        report.unknown.append(
            UnknownFile(
                path=p,
                sha256=sha,
                bytes=p.stat().st_size,
                taken_at=_taken_at(p),
                width=w,
                height=h,
                companions=tuple(files[c] for c in comps),
                finished_from_temp=k in finished,
            )
        )
    report.unknown_raw = [files[k] for ks in raw_by_stem.values() for k in ks]
    report.ms = round((time.perf_counter() - t0) * 1000, 1)
    return report


def record_unknown(
    session: Session, unknown: list[UnknownFile], *, session_id: int | None = None
) -> list[Shot]:
    """Record unknown files as unassigned shots (``student_id=None, source="recovered"``)."""
    station = local_station(session)
    out = []
    for u in unknown:
        shot = Shot(
            student_id=None,
            station_id=station.id,
            session_id=session_id,
            path=str(u.path),
            companion_path=str(u.companions[0]) if u.companions else None,
            sha256=u.sha256,
            bytes=u.bytes,
            width=u.width,
            height=u.height,
            taken_at=u.taken_at,
            source="recovered",
        )
        session.add(shot)
        out.append(shot)
    if out:
        audit.record(session, "capture.recover", rows=len(out), details=", ".join(str(u.path) for u in unknown[:20]))
    session.flush()
    return out


def apply_moves(session: Session, moved: list[ShotProblem]) -> int:
    """Point shots whose file was moved (same sha256) at the file's new place."""
    n = 0
    for m in moved:
        shot = session.get(Shot, m.shot_id)
        if shot is not None and m.new_path:
            shot.path = m.new_path
            n += 1
    session.flush()
    return n
