"""The photo delivery: originals and 480×640 JPEGs named by ID number, a manifest, proof sheets.

Layout under the output folder (``--out DIR``)::

    照片/<学校>/<学院>/<班级>/<身份证号>.jpg    480×640, 300 dpi, size within the profile's range
    原片/<学校>/<学院>/<班级>/<身份证号>.jpg    the original as shot (byte for byte)
    校对单/<学校>/<学院>/<班级>.pdf            proof sheet per class (section 四 of the notice)
    清单.csv, 清单.xlsx                        one row per student: both files, sha256, QC, station, time
    .station_export.json                       what was written, so the next run can resume

A student without a valid, unique ID number is named by student number
(listed in the manifest). The delivery image is cut from the original by the
standard crop of ``qc/`` (``Shot.qc_json["crop"]``; for an unchecked shot the
checker is run to get one); a student whose photo has no crop is reported as
not exportable, never cropped by guesswork. The delivery image is sRGB: a
photo shot in Adobe RGB (an embedded profile, or the camera's EXIF mark) is
converted (:mod:`app.colour`); the original goes out byte for byte.

Resumable and verified: every file already in place is hashed and compared
with what it should be; only what is missing or different is written, each
write goes to a temporary name, is fsync'd, hashed again and renamed. A
second run over an unchanged database writes nothing. ``--password`` builds
the same tree in a private staging folder on the station and packs it into a
WinZip-AES-256 archive (see :mod:`app.crypto`); the default staging folder
(in the station's cache) is deleted once the archive is written, a folder
named with ``--staging`` is kept so the next export only adds what changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.colour import source_profile, to_srgb
from app.crypto import write_atomic
from app.errors import InputError, StationError
from app.models import Selection, Shot
from app.reports.common import StudentRow, load_students, station_labels

STATE_FILE = ".station_export.json"
PHOTO_DIR = "照片"
ORIGINAL_DIR = "原片"
PROOF_DIR = "校对单"
MANIFEST = "清单"
COLOUR_VERSION = 1  # the delivery image is converted to sRGB (bump when the conversion changes)


@dataclass(frozen=True)
class DeliveryProfile:
    name: str
    width: int
    height: int
    dpi: int
    min_bytes: int
    max_bytes: int
    description: str
    quality_range: tuple[int, int] = (40, 95)


PROFILES = {
    "chsi": DeliveryProfile(
        "chsi", 480, 640, 300, 20 * 1024, 60 * 1024, "学历电子注册 (学信网) 480×640, 300 dpi, 20–60 KB"
    ),
}


@dataclass
class Planned:
    student: StudentRow
    shot_id: int
    shot_path: str
    shot_sha: str
    shot_bytes: int
    qc_verdict: str | None
    qc_json: str | None
    override: str | None
    station: str
    taken_at: datetime
    selected_at: datetime
    needs_decision: bool
    key: str = ""  # the file name stem: ID number or student number
    named_by: str = "身份证号"
    photo_rel: str = ""
    original_rel: str = ""
    crop: list[float] | None = None
    # filled by the run
    photo_sha: str = ""
    photo_bytes: int = 0
    quality: int | None = None
    size_ok: bool = True
    original_sha: str = ""
    error: str | None = None


@dataclass
class ExportResult:
    out: Path
    profile: str
    students: int = 0  # with a selected shot, in scope
    exported: int = 0
    written_photos: int = 0
    written_originals: int = 0
    unchanged: int = 0  # files already in place and verified
    replaced: int = 0  # files in place that differed (tampered, changed selection)
    removed: int = 0  # stale files of this export that no longer belong
    failed: list[Planned] = field(default_factory=list)
    named_by_student_no: list[Planned] = field(default_factory=list)
    proof_sheets: int = 0
    size_out_of_range: int = 0
    zip_path: Path | None = None
    zip_written: bool = False
    seconds: float = 0.0
    rows: list[Planned] = field(default_factory=list)

    @property
    def copied(self) -> int:
        return self.written_photos + self.written_originals

    def summary(self) -> dict[str, Any]:
        return {
            "out": str(self.zip_path or self.out),
            "profile": self.profile,
            "students": self.students,
            "exported": self.exported,
            "written_photos": self.written_photos,
            "written_originals": self.written_originals,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "removed": self.removed,
            "failed": len(self.failed),
            "named_by_student_no": len(self.named_by_student_no),
            "size_out_of_range": self.size_out_of_range,
            "proof_sheets": self.proof_sheets,
            "seconds": round(self.seconds, 2),
        }


# --- names -------------------------------------------------------------------

def valid_id_number(value: str) -> bool:
    """A GB 11643 citizen ID number (18 characters with its check character, or 15 digits), a real date."""
    from app.roster.idcard import is_valid

    return is_valid((value or "").strip().upper())


# one function names every file and folder after roster text (length in bytes, reserved names, ., ..)
from app.safe_names import UniqueNames  # noqa: E402
from app.safe_names import safe_component as safe_name  # noqa: E402,F401  (kept for callers of the old name)


# --- hashing and atomic writes --------------------------------------------------


def sha256_file(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except FileNotFoundError:
        return None


def _copy_verified(src: Path, dst: Path, sha: str) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.part")
    with open(src, "rb") as fi, open(tmp, "wb") as fo:
        shutil.copyfileobj(fi, fo, 1 << 20)
        fo.flush()
        os.fsync(fo.fileno())
    if sha256_file(tmp) != sha:
        tmp.unlink(missing_ok=True)
        raise StationError(f"复制校验失败 (磁盘有问题?): {dst}", exit_code=4)
    os.replace(tmp, dst)


# --- the delivery image ---------------------------------------------------------


def encode_delivery(image, profile: DeliveryProfile) -> tuple[bytes, int, bool]:
    """JPEG bytes at the highest quality that stays within the profile's size range.

    Binary search over the quality; a simple image that stays under the
    minimum even at the top quality is reported (``ok`` False), not padded.
    """
    lo, hi = profile.quality_range
    cache: dict[int, bytes] = {}

    def enc(q: int) -> bytes:
        if q not in cache:
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=q, dpi=(profile.dpi, profile.dpi), optimize=True)
            cache[q] = buf.getvalue()
        return cache[q]

    if len(enc(hi)) <= profile.max_bytes:
        best = hi
    elif len(enc(lo)) > profile.max_bytes:
        data = enc(lo)
        return data, lo, False
    else:
        a, b = lo, hi  # enc(a) fits, enc(b) does not
        while b - a > 1:
            m = (a + b) // 2
            if len(enc(m)) <= profile.max_bytes:
                a = m
            else:
                b = m
        best = a
    data = enc(best)
    return data, best, profile.min_bytes <= len(data) <= profile.max_bytes


def _open_oriented(path: str, crop: list[float], profile: DeliveryProfile):
    """The photo, EXIF-oriented, decoded at the smallest JPEG scale that still covers 480×640 in the crop."""
    from PIL import Image, ImageOps

    im = Image.open(path)
    x0, y0, x1, y1 = crop
    if im.format == "JPEG":
        w, h = im.size
        swap = (im.getexif().get(0x0112) or 1) in (5, 6, 7, 8)
        ow, oh = (h, w) if swap else (w, h)
        need = max(profile.width / max((x1 - x0) * ow, 1), profile.height / max((y1 - y0) * oh, 1))
        if need < 1:
            im.draft("RGB", (int(w * need) + 1, int(h * need) + 1))
    return ImageOps.exif_transpose(im)


class _CropSource:
    """The standard crop of a shot: from its QC report, else from running the checker once."""

    def __init__(self, cached: dict[str, list[float]]):
        self.cached = cached
        self._checker = None
        self._checker_error: str | None = None

    def crop_for(self, p: Planned) -> list[float] | None:
        if p.qc_json:
            try:
                crop = json.loads(p.qc_json).get("crop")
            except ValueError:
                crop = None
            if crop and len(crop) == 4:
                return [float(v) for v in crop]
        if p.shot_sha in self.cached:
            return self.cached[p.shot_sha]
        if self._checker_error:
            p.error = self._checker_error
            return None
        if self._checker is None:
            try:
                from qc.checker import Checker

                self._checker = Checker()
            except Exception as exc:  # noqa: BLE001 - qc not installed or its models failed to load
                self._checker_error = f"照片未经检查且无法运行检查程序 ({exc})"
                p.error = self._checker_error
                return None
        try:
            report = self._checker.check_path(p.shot_path)
        except Exception as exc:  # noqa: BLE001 - a corrupt or missing file: report it, go on
            p.error = f"无法检查照片 {p.shot_path}: {exc}"
            return None
        if not report.crop:
            p.error = "检查程序未能确定标准裁剪框 (未找到人脸?)"
            return None
        crop = [round(float(v), 4) for v in report.crop]
        self.cached[p.shot_sha] = crop
        return crop


# --- planning -----------------------------------------------------------------------


def plan(session: Session, *, college: str | None = None, class_name: str | None = None) -> list[Planned]:
    students = load_students(session, college=college, class_name=class_name)
    by_id = {s.id: s for s in students}
    labels = station_labels(session)
    rows = session.execute(
        select(
            Selection.student_id,
            Selection.selected_at,
            Selection.override_reason,
            Selection.needs_decision,
            Shot.id,
            Shot.path,
            Shot.sha256,
            Shot.bytes,
            Shot.qc_verdict,
            Shot.qc_json,
            Shot.override_reason.label("shot_override"),
            Shot.station_id,
            Shot.taken_at,
        ).join(Shot, Shot.id == Selection.shot_id)
    ).all()
    out = []
    for r in rows:
        s = by_id.get(r.student_id)
        if s is None:
            continue
        out.append(
            Planned(
                s,
                r.id,
                r.path,
                r.sha256,
                r.bytes,
                r.qc_verdict,
                r.qc_json,
                r.override_reason or r.shot_override,
                labels.get(r.station_id, "?"),
                r.taken_at,
                r.selected_at,
                bool(r.needs_decision),
            )
        )
    order = {s.id: i for i, s in enumerate(students)}
    out.sort(key=lambda p: order[p.student.id])
    _assign_names(out)
    return out


def _assign_names(rows: list[Planned]) -> None:
    ids = Counter(p.student.id_number.strip().upper() for p in rows if valid_id_number(p.student.id_number))
    used: set[tuple[str, str]] = set()
    folders = UniqueNames(fallback="未填")  # two classes never share a folder (., .., long or equal-cut names)
    for p in rows:
        s = p.student
        folder = folders.path([s.school or "学校", s.college, s.class_name])
        idn = s.id_number.strip().upper()
        if valid_id_number(idn) and ids[idn] == 1 and not s.has_error:
            key, by = idn, "身份证号"
        elif s.student_no.strip():
            key, by = safe_name(s.student_no.strip(), max_bytes=200), "学号"
        else:
            key, by = s.uid, "编号"
        if (folder, key.casefold()) in used:  # two students with one student number: keep both files
            key, by = f"{key}_{s.uid[:8]}", by + "+编号"
        used.add((folder, key.casefold()))
        p.key, p.named_by = key, by
        ext = Path(p.shot_path).suffix.lower() or ".jpg"
        p.photo_rel = f"{PHOTO_DIR}/{folder}/{key}.jpg"
        p.original_rel = f"{ORIGINAL_DIR}/{folder}/{key}{ext}"


# --- the run --------------------------------------------------------------------------


def _load_state(root: Path) -> dict[str, Any]:
    try:
        state = json.loads((root / STATE_FILE).read_text("utf-8"))
        if state.get("version") == 1:
            return state
    except (FileNotFoundError, ValueError):
        pass
    return {"version": 1, "files": {}, "crops": {}, "proofs": {}}


def _save_state(root: Path, state: dict[str, Any]) -> None:
    data = json.dumps(state, ensure_ascii=False, indent=0, sort_keys=True).encode("utf-8")
    path = root / STATE_FILE
    if path.is_file() and path.read_bytes() == data:
        return  # an unchanged delivery is not touched at all
    write_atomic(path, data)


def _process(p: Planned, root: Path, profile: DeliveryProfile, prev: dict[str, Any], cancel: Any = None) -> dict[str, int]:
    """Make both files of one student right; returns counters. Runs in a worker thread."""
    from qc.crop import crop_to_delivery

    counts = Counter()
    if cancel is not None and cancel.is_set():
        p.error = CANCELLED
        return counts
    src = Path(p.shot_path)
    # the original, byte for byte
    dst = root / p.original_rel
    have = sha256_file(dst)
    if have == p.shot_sha:
        counts["unchanged"] += 1
    else:
        if not src.is_file():
            p.error = f"原片文件不存在: {src}"
            return counts
        if sha256_file(src) != p.shot_sha:
            p.error = f"原片与拍摄时记录的校验值不符 (文件已损坏或被改动): {src}"
            return counts
        _copy_verified(src, dst, p.shot_sha)
        counts["written_originals"] += 1
        if have is not None:
            counts["replaced"] += 1
    p.original_sha = p.shot_sha
    # the delivery image: deterministic from (original, crop, profile)
    inputs = _inputs(p, profile)
    dst = root / p.photo_rel
    rec = prev.get(p.photo_rel)
    have = sha256_file(dst)
    if rec and rec.get("inputs") == inputs and have == rec.get("sha256"):
        counts["unchanged"] += 1
        p.photo_sha, p.photo_bytes, p.quality, p.size_ok = rec["sha256"], rec["bytes"], rec["quality"], rec["size_ok"]
        return counts
    original = _open_oriented(str(src), p.crop, profile)
    icc = source_profile(original)  # an Adobe RGB photo is delivered in sRGB
    image = to_srgb(crop_to_delivery(original, p.crop, (profile.width, profile.height)), icc)
    data, quality, ok = encode_delivery(image, profile)
    sha = hashlib.sha256(data).hexdigest()
    if have != sha:
        write_atomic(dst, data, expect_sha256=sha)
        counts["written_photos"] += 1
        if have is not None:
            counts["replaced"] += 1
    else:
        counts["unchanged"] += 1
    p.photo_sha, p.photo_bytes, p.quality, p.size_ok = sha, len(data), quality, ok
    return counts


CANCELLED = "已取消"


class ExportCancelled(StationError):
    """The operator stopped the delivery; what was written is kept and the next run goes on from there."""

    exit_code = 130

    def __init__(self, finished: int, students: int):
        from app.i18n import t

        self.finished, self.students = finished, students
        super().__init__(t(f"已取消导出: {finished}/{students} 人的文件已写入并校验, 保留; 再次导出会从这里继续",
                           f"delivery cancelled: the files of {finished}/{students} students are written, verified "
                           f"and kept; the next export goes on from there"))


def _inputs(p: Planned, prof: DeliveryProfile) -> dict[str, Any]:
    """What a delivery image is made from: the same inputs give the same file (so it is not redone)."""
    return {"src": p.shot_sha, "crop": p.crop, "profile": prof.name, "colour": COLOUR_VERSION}


def _remember(files: dict[str, Any], p: Planned, prof: DeliveryProfile) -> None:
    """The export state's records of a student's two delivered files."""
    files[p.photo_rel] = {"student": p.student.uid, "sha256": p.photo_sha, "bytes": p.photo_bytes,
                          "quality": p.quality, "size_ok": p.size_ok, "inputs": _inputs(p, prof)}
    files[p.original_rel] = {"student": p.student.uid, "sha256": p.original_sha, "bytes": p.shot_bytes}


def export_photos(
    session: Session,
    out: str | Path,
    *,
    profile: str = "chsi",
    college: str | None = None,
    class_name: str | None = None,
    proof_sheets: bool = True,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Any = None,
) -> ExportResult:
    """Bring the delivery folder ``out`` up to date with the database's selected shots.

    ``cancel``: an object with ``is_set()`` (a ``threading.Event``). Once set,
    students not yet started are skipped, what was written stays (verified,
    recorded for the next run) and :class:`ExportCancelled` is raised.
    """
    if profile not in PROFILES:
        raise InputError(f"未知的交付格式 {profile!r}; 可用: {', '.join(PROFILES)}")
    prof = PROFILES[profile]
    t0 = time.perf_counter()
    root = Path(out)
    if root.exists() and not root.is_dir():
        raise InputError(f"输出位置不是文件夹: {root}")
    root.mkdir(parents=True, exist_ok=True)
    state = _load_state(root)
    result = ExportResult(root, profile)
    rows = plan(session, college=college, class_name=class_name)
    result.students = len(rows)

    crops = _CropSource(state.setdefault("crops", {}))
    todo = []
    for p in rows:
        p.crop = crops.crop_for(p)
        if p.crop is None:
            p.error = p.error or "没有标准裁剪框"
        else:
            todo.append(p)
    prev = state.get("files", {})
    done = 0
    with ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(_process, p, root, prof, prev, cancel) for p in todo]
        for fut in futures:
            for k, v in fut.result().items():
                setattr(result, k, getattr(result, k) + v)
            done += 1
            if progress:
                progress(done, len(todo))

    if cancel is not None and cancel.is_set():
        # remember who was finished; nothing is deleted, the scope was not completed
        files = state.setdefault("files", {})
        for p in todo:
            if not p.error:
                _remember(files, p, prof)
        _save_state(root, state)
        raise ExportCancelled(sum(1 for p in todo if not p.error), len(rows))
    # forget and delete files of students in scope whose name or selection changed
    in_scope = {p.student.uid for p in rows} | {s.uid for s in load_students(session, college=college, class_name=class_name)}
    targets = {p.photo_rel for p in rows if not p.error} | {p.original_rel for p in rows if not p.error}
    files = state.setdefault("files", {})
    for rel, rec in list(files.items()):
        if rec.get("student") in in_scope and rel not in targets:
            (root / rel).unlink(missing_ok=True)
            del files[rel]
            result.removed += 1
    for p in rows:
        if p.error:
            result.failed.append(p)
            continue
        result.exported += 1
        if p.named_by != "身份证号":
            result.named_by_student_no.append(p)
        if not p.size_ok:
            result.size_out_of_range += 1
        _remember(files, p, prof)
    _save_state(root, state)
    result.rows = rows
    from app.reports.manifest import write_manifest

    write_manifest(root, rows, prof)
    if proof_sheets:
        from app.reports.proof import write_proof_sheets

        result.proof_sheets = write_proof_sheets(root, [p for p in rows if not p.error], state)
        _save_state(root, state)
    result.seconds = time.perf_counter() - t0
    return result


# --- the encrypted delivery -----------------------------------------------------------------


def tree_digest(root: Path) -> str:
    """One hash over every delivered file's name and content hash (from the export state)."""
    h = hashlib.sha256()
    for p in sorted(x for x in root.rglob("*") if x.is_file() and not x.name.startswith(".")):
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update((sha256_file(p) or "").encode() + b"\n")
    return h.hexdigest()


def pack_encrypted(staging: Path, zip_path: Path, password: str, result: ExportResult) -> None:
    """Pack the staged delivery into an AES zip unless the archive already holds exactly this tree."""
    from app.crypto import zip_tree

    state = _load_state(staging)
    digest = tree_digest(staging)
    last = state.get("zip") or {}
    if (
        zip_path.is_file()
        and last.get("path") == str(zip_path.resolve())
        and last.get("tree") == digest
        and last.get("sha256") == sha256_file(zip_path)
    ):
        result.zip_path, result.zip_written = zip_path, False
        return
    zip_tree(staging, zip_path, password)
    state["zip"] = {"path": str(zip_path.resolve()), "tree": digest, "sha256": sha256_file(zip_path)}
    _save_state(staging, state)
    result.zip_path, result.zip_written = zip_path, True


# the private staging folders behind encrypted deliveries (a light module: the command line cleans at start)
from app.staging import (  # noqa: E402,F401
    cleanup_stale_staging,
    default_staging,
    new_staging,
    remove_staging,
    staging_base as _staging_base,
)


def export_encrypted(session: Session, zip_path: str | Path, password: str, *, staging: str | Path | None = None,
                     **kw: Any) -> ExportResult:
    """The delivery as one AES-256 archive ``zip_path`` (see :func:`app.crypto.zip_tree`).

    The plain tree is built in a private staging folder in the station's cache
    and deleted in ``finally``: after success, failure (a full disk) and
    cancel alike; after a kill, the next start deletes it
    (:func:`cleanup_stale_staging`). A folder named with ``staging`` is the
    operator's and is kept (it makes the next export incremental).
    """
    zip_path = Path(zip_path)
    cleanup_stale_staging()
    root = Path(staging) if staging else new_staging(zip_path)
    try:
        res = export_photos(session, root, **kw)
        pack_encrypted(root, zip_path, password, res)
        return res
    finally:
        if not staging:
            remove_staging(root)
