"""The photo delivery, planning: who is delivered, from which shot, under which name (no file is touched).

Every delivered photo is named ``<18-character ID number>.jpg``: the roster's
number, normalised (a legacy 15-digit number converted), or, where the
roster's is missing, invalid or lost by Excel, the valid number read at the
camera from the ID card (``shots.id_read``). A student with no valid ID number
(or one shared with another student) waits in ``待处理/<学号>_<姓名>.jpg`` with
the reason. Undecided merge conflicts are found here (:func:`conflict_gate`)
before anything is written. The delivery's spec is a :class:`DeliveryProfile`.
The files are written by :mod:`app.delivery_files`, the run is :mod:`app.export`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, literal_column, select
from sqlalchemy.orm import Session

from app.errors import InputError, StationError
from app.i18n import t
from app.models import MergeConflict, RosterFinding, Selection, Shot, Student
from app.reports.common import StudentRow, load_students, station_labels
from app.roster.idcard import is_valid, to18
from app.safe_names import UniqueNames  # names every file and folder after roster text (bytes, reserved names)
from app.safe_names import safe_component as safe_name

PHOTO_DIR = "照片"
ORIGINAL_DIR = "原片"
PENDING_DIR = "待处理"
PROOF_DIR = "校对单"
MANIFEST = "清单"


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


def valid_id_number(value: str) -> bool:
    """A GB 11643 citizen ID number (18 characters with its check character, or 15 digits), a real date."""
    return is_valid((value or "").strip().upper())


class ConflictsBlockDelivery(StationError):
    """Students with photos selected on two stations (a merge conflict): nothing is delivered until each is decided."""

    exit_code = 3

    def __init__(self, rows: list[Planned]):
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
