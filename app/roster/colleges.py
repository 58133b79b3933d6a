"""Major → college: reconciliation is done per college, and not every roster says it.

A roster with a college column (学院, 院系, Xymc, ...) teaches the station which
college each major belongs to (kept in :class:`app.models.MajorCollege`). For a
roster without one, the school can send a two-column list (专业 → 学院) which
:func:`read_college_map` reads and :func:`apply_college_map` stores and fills in
for students who have no college yet.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.errors import InputError
from app.i18n import t
from app.models import MajorCollege, Student
from app.roster.clean import TEXT, clean_text, non_text_to_text
from app.roster.fields import COLLEGE, field_for_header
from app.roster.formats import load_sheet, read_csv, sheets_from_workbook
from app.roster.reader import HEADER_SCAN_ROWS
from app.roster.sniff import OLE_MAGIC, ZIP_MAGIC, decrypt


def read_college_map(path: str | Path, password: str | None = None) -> tuple[dict[str, str], list[str]]:
    """{major: college} from a workbook or CSV with a major and a college column."""
    path = Path(path)
    if not path.is_file():
        raise InputError(t(f"找不到文件: {path}", f"file not found: {path}"))
    data = path.read_bytes()
    notes: list[str] = []
    if path.suffix.lower() in (".csv", ".txt") and not data.startswith((OLE_MAGIC, ZIP_MAGIC)):
        sheets = [(path.name, read_csv(data)[0])]
    else:
        if data.startswith(OLE_MAGIC):
            data, _ = decrypt(data, path, password)
        wbs = sheets_from_workbook(data, path)
        sheets = [(name, load_sheet(wb, name, path)[0]) for name, visible, wb in wbs if visible]
    for name, rows in sheets:
        for h, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            cols = {field_for_header(c): i for i, c in reversed(list(enumerate(row))) if c not in ("", None)}
            if "Zymc" in cols and COLLEGE in cols:
                zi, ci = cols["Zymc"], cols[COLLEGE]
                mapping: dict[str, str] = {}
                conflicts: set[str] = set()
                for r in rows[h + 1 :]:
                    if max(zi, ci) >= len(r):
                        continue
                    major, college = (_text(r[zi]), _text(r[ci]))
                    if not major or not college:
                        continue
                    if major in mapping and mapping[major] != college:
                        conflicts.add(major)
                    mapping[major] = college
                notes.append(t(f"读取工作表“{name}”,第 {h + 1} 行为表头", f"read sheet “{name}”, header on row {h + 1}"))
                if conflicts:
                    notes.append(
                        t(
                            f"这些专业对应了多个学院,以最后一行为准: {'、'.join(sorted(conflicts))}",
                            f"majors listed under several colleges (the last row wins): {', '.join(sorted(conflicts))}",
                        )
                    )
                return mapping, notes
    raise InputError(
        t(
            f"{path.name} 中找不到“专业”和“学院”两列的表头",
            f"no header with a major column and a college column in {path.name}",
        )
    )


def _text(v) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        v, _ = non_text_to_text(v)
    return clean_text(v, TEXT)[0]


def apply_college_map(session: Session, mapping: dict[str, str], *, overwrite: bool = False) -> tuple[int, int]:
    """Store the mapping and fill in students' colleges; returns (majors stored, students updated).

    Students who already have a college (from the roster's own column) keep it
    unless ``overwrite``. Does not commit.
    """
    known = {m.major: m for m in session.scalars(select(MajorCollege))}
    for major, college in mapping.items():
        if major in known:
            known[major].college = college
        else:
            session.add(MajorCollege(major=major, college=college))
    session.flush()
    updated = 0
    for major, college in mapping.items():
        cond = [Student.major == major]
        if not overwrite:
            cond.append(or_(Student.college.is_(None), Student.college == ""))
        updated += session.execute(update(Student).where(*cond).values(college=college)).rowcount
    return len(mapping), updated


def college_overview(session: Session) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
    """((college, major, active students) ..., (major without a college, students) ...)."""
    rows = session.execute(
        select(Student.college, Student.major, func.count())
        .where(Student.active.is_(True))
        .group_by(Student.college, Student.major)
        .order_by(Student.college, Student.major)
    ).all()
    with_college = [(c, m, n) for c, m, n in rows if c]
    without = [(m, n) for c, m, n in rows if not c]
    return with_college, without
