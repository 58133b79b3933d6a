"""The photo delivery: originals and 480×640 JPEGs named by ID number, a manifest, proof sheets.

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
import io
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.colour import source_profile, to_srgb
from capture.durable import copy_atomic, write_atomic
from capture.durable import sha256_file as durable_sha256
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
    """The electronic photo's spec: pixels, dpi, size range in bytes, naming.

    Each profile is a file in ``app/delivery_profiles/`` (``chsi.toml`` is the
    default); :meth:`load` reads one.
    """

    name: str
    width: int
    height: int
    dpi: int
    min_bytes: int
    max_bytes: int
    description: str
    quality_range: tuple[int, int] = (10, 95)
    naming: str = "id_number"  # id_number (student number when the ID is invalid)

    @classmethod
    def load(cls, path: str | Path) -> "DeliveryProfile":
        import tomllib

        path = Path(path)
        try:
            d = tomllib.loads(path.read_text(encoding="utf-8"))
            prof = cls(
                str(d.get("name") or path.stem), int(d["width"]), int(d["height"]), int(d["dpi"]),
                int(d["min_bytes"]), int(d["max_bytes"]), str(d.get("description", "")),
                (int(d.get("quality_min", 10)), int(d.get("quality_max", 95))), str(d.get("naming", "id_number")),
            )
        except (OSError, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError) as e:
            raise InputError(f"交付格式文件 {path} 无法读取: {e}") from None
        if not (0 < prof.min_bytes <= prof.max_bytes and 1 <= prof.quality_range[0] <= prof.quality_range[1] <= 100):
            raise InputError(f"交付格式文件 {path}: 大小或质量范围不合理")
        return prof


DELIVERY_PROFILES_DIR = Path(__file__).resolve().parent / "delivery_profiles"
PROFILES = {p.stem: DeliveryProfile.load(p) for p in sorted(DELIVERY_PROFILES_DIR.glob("*.toml"))}


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
    key: str = ""  # the file name stem: the 18-character ID number (待处理: 学号_姓名)
    named_by: str = "身份证号"  # 身份证号 / 身份证号(现场读取) / 待处理
    pending: str | None = None  # why the photo waits in 待处理/ instead of being delivered under an ID number
    conflict: list[str] = field(default_factory=list)  # a merge conflict: the photos two stations selected
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


# --- names -------------------------------------------------------------------

def valid_id_number(value: str) -> bool:
    """A GB 11643 citizen ID number (18 characters with its check character, or 15 digits), a real date."""
    from app.roster.idcard import is_valid

    return is_valid((value or "").strip().upper())


# one function names every file and folder after roster text (length in bytes, reserved names, ., ..)
from app.safe_names import UniqueNames  # noqa: E402
from app.safe_names import safe_component as safe_name  # noqa: E402,F401  (kept for callers of the old name)


# --- hashing and atomic writes --------------------------------------------------


# the delivery compares files that may not be there yet: None for a missing one
sha256_file = partial(durable_sha256, missing_ok=True)


def _copy_verified(src: Path, dst: Path, sha: str) -> None:
    copy_atomic(src, dst, expect_sha256=sha, mismatch=_copy_mismatch)


def _copy_mismatch(dst: Path) -> StationError:
    return StationError(f"复制校验失败 (磁盘有问题?): {dst}", exit_code=4)


def _write_mismatch(path: Path) -> StationError:
    return StationError(f"写入校验失败 (磁盘有问题?): {path}", exit_code=4)


# --- the delivery image ---------------------------------------------------------


def encode_delivery(image, profile: DeliveryProfile) -> tuple[bytes, int, bool]:
    """JPEG bytes at the highest quality whose size is at most ``profile.max_bytes``.

    Every candidate is measured as encoded (bytes, not KiB), so the result
    never passes the maximum. JPEG size is not strictly monotonic in quality,
    so the binary search is followed by a look at the few qualities just above
    the one found. A simple image that stays under the minimum even at the top
    quality is reported (``ok`` False), not padded.
    """
    lo, hi = profile.quality_range
    cache: dict[int, bytes] = {}

    def enc(q: int) -> bytes:
        if q not in cache:
            buf = io.BytesIO()
            image.save(buf, "JPEG", quality=q, dpi=(profile.dpi, profile.dpi), optimize=True)
            cache[q] = buf.getvalue()
        return cache[q]

    def fits(q: int) -> bool:
        return len(enc(q)) <= profile.max_bytes

    if fits(hi):
        best = hi
    elif not fits(lo):
        return enc(lo), lo, False  # not even the lowest quality fits: flagged, never passed silently
    else:
        a, b = lo, hi  # enc(a) fits, enc(b) does not
        while b - a > 1:
            m = (a + b) // 2
            if fits(m):
                a = m
            else:
                b = m
        best = a
        for q in range(best + 1, min(best + 4, hi)):  # a non-monotonic step just above
            if fits(q):
                best = q
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


PENDING_DIR = "待处理"


class ConflictsBlockDelivery(StationError):
    """Students with photos selected on two stations (a merge conflict): nothing is delivered until each is decided."""

    exit_code = 3

    def __init__(self, rows: list[Planned]):
        from app.i18n import t

        self.rows = rows
        super().__init__(t(
            f"{len(rows)} 名学生在两个机位都选定了照片 (合并冲突), 交付前需逐一决定: "
            f"station merge --conflicts 查看, station merge --decide 照片编号 决定; "
            f"或加 --allow-conflicts 交付较新的一张并列出其余",
            f"{len(rows)} students have photos selected on two stations (merge conflicts): decide each first "
            f"(station merge --conflicts, station merge --decide SHOT), or export with --allow-conflicts "
            f"(the newest is delivered and the rest listed)"))

    def lines(self) -> list[str]:
        out = []
        for p in self.rows:
            s = p.student
            out.append(f"{s.school} {s.college} {s.class_name} {s.student_no} {s.name}")
            out.extend(f"    {c}" for c in p.conflict)
        return out


_SHOT_COLS = (Shot.id, Shot.uid, Shot.path, Shot.sha256, Shot.bytes, Shot.qc_verdict, Shot.qc_json,
              Shot.override_reason, Shot.station_id, Shot.taken_at)


def _id_read_column(session: Session):
    """``shots.id_read`` (the ID number read at the camera) when this database has it, else None."""
    col = Shot.__table__.c.get("id_read")
    if col is not None:
        return col
    from sqlalchemy import inspect, literal_column

    try:
        names = {c["name"] for c in inspect(session.connection()).get_columns("shots")}
    except Exception:  # noqa: BLE001 - no such table or an unreadable schema: nothing read at the camera
        return None
    return literal_column("shots.id_read") if "id_read" in names else None


def _ids_read(session: Session, student_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Student id → [(shot id, ID number read at the camera)], newest first."""
    col = _id_read_column(session)
    if col is None or not student_ids:
        return {}
    out: dict[int, list[tuple[int, str]]] = {}
    q = (select(Shot.student_id, Shot.id, col).where(Shot.student_id.is_not(None), col.is_not(None), col != "")
         .order_by(Shot.taken_at.desc(), Shot.id.desc()))
    for sid, shot_id, value in session.execute(q):
        if sid in student_ids:
            out.setdefault(sid, []).append((shot_id, str(value)))
    return out


def _open_conflicts(session: Session, student_ids: set[int]) -> dict[int, list[int]]:
    """Student id → the other stations' shots of an undecided merge conflict."""
    from app.models import MergeConflict

    out: dict[int, list[int]] = {}
    q = select(MergeConflict.student_id, MergeConflict.other_shot_id, MergeConflict.kept_shot_id).where(
        MergeConflict.decided_at.is_(None))
    for sid, other, kept in session.execute(q):
        if sid in student_ids:
            have = out.setdefault(sid, [])
            have.extend(x for x in (kept, other) if x not in have)
    return out


def plan(session: Session, *, college: str | None = None, class_name: str | None = None, school: str | None = None,
         newest_on_conflict: bool = False) -> list[Planned]:
    """The delivery's rows: one per student in scope with a selected shot, each with its file names.

    A student with an undecided merge conflict (``needs_decision``) gets
    ``conflict`` (the photos in question); with ``newest_on_conflict`` the
    newest of them is planned instead of the one kept by the merge.
    """
    students = load_students(session, college=college, class_name=class_name, school=school)
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
    _mark_conflicts(session, out, labels, newest_on_conflict)
    _assign_names(out, _id_facts(session, out))
    return out


def _mark_conflicts(session: Session, rows: list[Planned], labels: dict[int, str], newest: bool) -> None:
    others = _open_conflicts(session, {p.student.id for p in rows})
    for p in rows:
        shot_ids = others.get(p.student.id, [])
        if not p.needs_decision and not shot_ids:
            continue
        ids = [p.shot_id, *(i for i in shot_ids if i != p.shot_id)]
        shots = {r.id: r for r in session.execute(select(*_SHOT_COLS).where(Shot.id.in_(ids)))}
        cands = [shots[i] for i in ids if i in shots]
        if len(cands) < 2:
            continue  # flagged, but the other photo is gone: nothing to choose between
        p.needs_decision = True
        p.conflict = [f"{c.uid[:12]}  {labels.get(c.station_id, '?')}  {c.taken_at:%Y-%m-%d %H:%M:%S}  "
                      f"{c.qc_verdict or '-'}" + ("  (当前选定)" if c.id == p.shot_id else "") for c in cands]
        if newest:
            best = max(cands, key=lambda c: (c.taken_at, c.id))
            if best.id != p.shot_id:
                p.shot_id, p.shot_path, p.shot_sha, p.shot_bytes = best.id, best.path, best.sha256, best.bytes
                p.qc_verdict, p.qc_json, p.override = best.qc_verdict, best.qc_json, best.override_reason
                p.station, p.taken_at = labels.get(best.station_id, "?"), best.taken_at


@dataclass(frozen=True)
class _IdFacts:
    id18: str | None  # the roster's 18-character form (the import's normalisation)
    lost: bool  # Excel stored the number as a number and lost digits
    read: tuple[tuple[int, str], ...]  # (shot id, number read at the camera), newest first


def _id_facts(session: Session, rows: list[Planned]) -> dict[int, _IdFacts]:
    from app.models import RosterFinding, Student

    ids = {p.student.id for p in rows}
    read = _ids_read(session, ids)
    out = {}
    if not ids:
        return out
    # the import's finding: Excel kept 15 significant digits (a number that may even pass the check by chance)
    lost = set(session.scalars(select(RosterFinding.student_id).where(
        RosterFinding.field == "Sfzh", RosterFinding.code == "id_stored_as_number")))
    for sid, id18 in session.execute(select(Student.id, Student.id_number18)):
        if sid in ids:
            out[sid] = _IdFacts(id18, sid in lost, tuple(read.get(sid, ())))
    return out


def normalised_id(value: str | None) -> str | None:
    """The 18-character form of a valid GB 11643 number (a legacy 15-digit one converted), else None."""
    from app.roster.idcard import to18

    v = (value or "").strip().upper()
    if not valid_id_number(v):
        return None
    return to18(v) if len(v) == 15 else v


def delivery_id(p: Planned, facts: _IdFacts | None) -> tuple[str | None, str, str | None]:
    """(18-character ID number, where it came from, why there is none).

    The roster's number, normalised, unless it is missing, invalid or lost by
    Excel; then the valid number read at the camera (the selected shot's
    first). Nothing else of the row (Ksh, name errors) matters.
    """
    from app.i18n import t

    raw = (p.student.id_number or "").strip().upper()
    lost = facts.lost if facts else False
    if not lost:
        for candidate in ((facts.id18 if facts else None), raw):
            found = normalised_id(candidate)
            if found:
                return found, "身份证号", None
    read = sorted(facts.read if facts else (), key=lambda r: r[0] != p.shot_id)  # the selected shot's first
    for _shot, value in read:
        found = normalised_id(value)
        if found:
            return found, "身份证号(现场读取)", None
    if not raw:
        why = t("名单中没有身份证号", "no ID number on the roster")
    elif lost:
        why = t("名单身份证号被 Excel 存成数字, 末几位已丢失", "the roster's ID number lost digits in Excel")
    else:
        why = t("名单身份证号无效 (GB 11643 校验位或出生日期不对)", "the roster's ID number is invalid (GB 11643)")
    if read:
        why += t("; 现场读取的号码也无效", "; the number read at the camera is invalid too")
    else:
        why += t("; 现场未扫描身份证", "; no ID card was scanned at the camera")
    return None, "待处理", why


def _assign_names(rows: list[Planned], facts: dict[int, _IdFacts] | None = None) -> None:
    """Every delivered photo is ``<18-character ID number>.jpg``; a student without one waits in 待处理/.

    No guessed names: a student whose ID number is missing, broken or shared
    with another student of the delivery goes to ``待处理/<学号>_<姓名>.jpg``
    with the reason (the manifest lists it, the summary counts it).
    """
    from app.i18n import t

    facts = facts or {}
    found = [delivery_id(p, facts.get(p.student.id)) for p in rows]
    holders: dict[str, list[Planned]] = {}
    for p, (idn, _by, _why) in zip(rows, found):
        if idn:
            holders.setdefault(idn, []).append(p)
    used: set[str] = set()
    folders = UniqueNames(fallback="未填")  # two classes never share a folder (., .., long or equal-cut names)
    for p, (idn, by, why) in zip(rows, found):
        s = p.student
        ext = Path(p.shot_path).suffix.lower() or ".jpg"
        if idn and len(holders[idn]) > 1:
            others = "、".join(f"{o.student.student_no} {o.student.name}" for o in holders[idn] if o is not p)
            idn, by, why = None, "待处理", t(f"身份证号与 {others} 相同", f"the same ID number as {others}")
        if idn:
            folder = folders.path([s.school or "学校", s.college, s.class_name])
            p.key, p.named_by, p.pending = idn, by, None
            p.photo_rel = f"{PHOTO_DIR}/{folder}/{idn}.jpg"
            p.original_rel = f"{ORIGINAL_DIR}/{folder}/{idn}{ext}"
            continue
        stem = safe_name(f"{s.student_no.strip() or t('无学号', 'no-number')}_{s.name.strip() or t('无姓名', 'no-name')}")
        key, n = stem, 1
        while key in used:  # two students with one number and name: both kept, numbered
            n += 1
            key = f"{stem}_{n}"
        used.add(key)
        p.key, p.named_by, p.pending = key, by, why
        p.photo_rel = f"{PENDING_DIR}/{key}.jpg"
        p.original_rel = f"{PENDING_DIR}/{ORIGINAL_DIR}/{key}{ext}"


def conflict_gate(session: Session, *, school: str | None = None, college: str | None = None,
                  class_name: str | None = None) -> None:
    """Raise :class:`ConflictsBlockDelivery` (before anything is written) when students in scope have undecided merge conflicts."""
    from app.models import MergeConflict, Student

    flagged = set(session.scalars(select(Selection.student_id).where(Selection.needs_decision.is_(True))))
    flagged |= set(session.scalars(select(MergeConflict.student_id).where(MergeConflict.decided_at.is_(None))))
    if not flagged:
        return
    if school:
        flagged &= set(session.scalars(select(Student.id).where(Student.school == school, Student.id.in_(flagged))))
    if not flagged:
        return
    rows = [p for p in plan(session, college=college, class_name=class_name, school=school) if p.conflict]
    if rows:
        raise ConflictsBlockDelivery(rows)


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
        write_atomic(dst, data, expect_sha256=sha, mismatch=_write_mismatch)
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
