"""The photo delivery: originals and 480×640 JPEGs named by ID number, a manifest, proof sheets.

Layers: :mod:`app.delivery_plan` (who, from which shot, under which name),
:mod:`app.delivery_files` (one student's two files, verified), this module (the
run: state, workers, cancel, stale files, manifest and proof sheets, the
encrypted archive).

Layout under the output folder (``--out DIR``)::

    照片/<学校>/<学院>/<班级>/<身份证号>.jpg    480×640, 300 dpi, size within the profile's range
    原片/<学校>/<学院>/<班级>/<身份证号>.jpg    the original as shot (byte for byte)
    待处理/<学号>_<姓名>.jpg, 待处理/原片/...    students without a valid ID number: a decision is needed
    校对单/<学校>/<学院>/<班级>.pdf            proof sheet per class (section 四 of the notice)
    清单.csv, 清单.xlsx                        one row per student: both files, sha256, QC, station, time
    .station_export.json                       what was written, so the next run can resume

Every delivered photo is named ``<18-character ID number>.jpg``: the roster's
number, normalised (a legacy 15-digit number converted), or, where the
roster's is missing, invalid or lost by Excel, the valid number read at the
camera from the ID card (``shots.id_read``). Nothing else in the row (an
error in Ksh or the name) changes the name. A student with no valid ID number
(or one shared with another student) is not delivered under a guessed name:
both files go to ``待处理/<学号>_<姓名>.jpg`` (originals in ``待处理/原片/``),
the manifest gives the reason and the summary counts them (``pending``; the
command exits 3). A database with several schools is delivered per school
(``school``). Students with photos selected on two stations (an undecided
merge conflict) stop the export before anything is written, unless
``allow_conflicts`` (the newest photo goes out, the conflicts are listed).

The delivery image is cut from the original by the standard crop of ``qc/``
(``Shot.qc_json["crop"]``; for an unchecked shot the checker is run to get one); a student whose photo has no crop is reported as
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
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.crypto import zip_tree
from app.delivery_files import CropSource, inputs_of, process_student, sha256_file
from app.delivery_plan import PROFILES, ConflictsBlockDelivery, DeliveryProfile, Planned, plan
from app.errors import InputError, StationError
from app.i18n import t
from app.reports.common import load_students
from app.reports.manifest import write_manifest
from app.reports.proof import write_proof_sheets
from app.staging import cleanup_stale_staging, new_staging, remove_staging
from capture.atomic import write_atomic

STATE_FILE = ".station_export.json"


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
    pending: list[Planned] = field(default_factory=list)  # no valid ID number: in 待处理/, a decision is needed
    conflicts: list[Planned] = field(default_factory=list)  # delivered the newest of two stations' photos
    school: str | None = None
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
            "pending": len(self.pending),
            "conflicts": len(self.conflicts),
            "school": self.school,
            "size_out_of_range": self.size_out_of_range,
            "proof_sheets": self.proof_sheets,
            "seconds": round(self.seconds, 2),
        }


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


class ExportCancelled(StationError):
    """The operator stopped the delivery; what was written is kept and the next run goes on from there."""

    exit_code = 130

    def __init__(self, finished: int, students: int):
        self.finished, self.students = finished, students
        super().__init__(t(f"已取消导出: {finished}/{students} 人的文件已写入并校验, 保留; 再次导出会从这里继续",
                           f"delivery cancelled: the files of {finished}/{students} students are written, verified "
                           f"and kept; the next export goes on from there"))


def _remember(files: dict[str, Any], p: Planned, prof: DeliveryProfile) -> None:
    """The export state's records of a student's two delivered files."""
    files[p.photo_rel] = {"student": p.student.uid, "sha256": p.photo_sha, "bytes": p.photo_bytes,
                          "quality": p.quality, "size_ok": p.size_ok, "inputs": inputs_of(p, prof)}
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
    school: str | None = None,
    allow_conflicts: bool = False,
) -> ExportResult:
    """Bring the delivery folder ``out`` up to date with the database's selected shots.

    ``school``: that school's students only (a database with several schools
    is delivered per school; see :func:`app.schools.resolve`). Undecided merge
    conflicts raise :class:`ConflictsBlockDelivery` before anything is
    written, unless ``allow_conflicts`` (the newest photo is delivered, the
    conflicts are listed in ``result.conflicts``).

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
    rows = plan(session, college=college, class_name=class_name, school=school, newest_on_conflict=allow_conflicts)
    conflicts = [p for p in rows if p.conflict]
    if conflicts and not allow_conflicts:
        raise ConflictsBlockDelivery(conflicts)  # before anything is written
    root.mkdir(parents=True, exist_ok=True)
    state = _load_state(root)
    result = ExportResult(root, profile, school=school)
    result.conflicts = conflicts
    result.students = len(rows)

    crops = CropSource(state.setdefault("crops", {}))
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
        futures = [pool.submit(process_student, p, root, prof, prev, cancel) for p in todo]
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
    in_scope = {p.student.uid for p in rows} | {
        s.uid for s in load_students(session, college=college, class_name=class_name, school=school)}
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
        if p.pending:
            result.pending.append(p)  # written to 待处理/, not delivered under an ID number
        else:
            result.exported += 1
        if not p.size_ok:
            result.size_out_of_range += 1
        _remember(files, p, prof)
    _save_state(root, state)
    result.rows = rows
    write_manifest(root, rows, prof)
    if proof_sheets:
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
