"""Where each college's or class's students wait and are photographed (地点): ``--place`` read and applied to a timetable."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.i18n import t
from app.roll_call.groups import college_label
from app.timetable.model import Plan


@dataclass
class Places:
    """Where each college's or class's students wait and are photographed (附件4: 批次、时间、人数、地点)."""

    default: str = ""
    by_college: dict[str, str] | None = None
    by_class: dict[str, str] | None = None

    def for_class(self, college: str, class_name: str) -> str:
        by_class, by_college = self.by_class or {}, self.by_college or {}
        return (
            by_class.get(class_name)
            or by_college.get(college)
            or by_college.get(college_label(college))
            or self.default
        )

    def to_json(self) -> dict:
        return {"default": self.default, "college": self.by_college or {}, "class": self.by_class or {}}

    @classmethod
    def from_json(cls, d: dict | None) -> Places:
        d = d or {}
        return cls(str(d.get("default") or ""), dict(d.get("college") or {}), dict(d.get("class") or {}))

    def __bool__(self) -> bool:
        return bool(self.default or self.by_college or self.by_class)


def _sheet_rows(path: Path) -> list[list[str]]:
    if path.suffix.lower() == ".csv":
        text = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return [[c.strip() for c in row] for row in csv.reader(text.decode(enc).splitlines())]
            except UnicodeDecodeError:
                continue
        raise InputError(t(f"地点表 {path} 的编码无法识别", f"cannot read the place sheet {path}"))
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable workbook is the user's input error
        raise InputError(t(f"地点表 {path} 无法读取: {e}", f"cannot read the place sheet {path}: {e}")) from None
    ws = wb[next((n for n in wb.sheetnames if "地点" in n), wb.sheetnames[0])]
    rows = [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def parse_places(spec: str | None, known_classes: set[str] = frozenset(), known_colleges: set[str] = frozenset()) -> Places:
    """``--place``: one place for all ("图书馆一楼"), pairs ("信息工程学院=A101;软工2101班=B203"),
    or a sheet (.xlsx / .csv) with a 地点 column and a 学院 and/or 班级 column."""
    if not spec or not spec.strip():
        return Places()
    spec = spec.strip()
    path = Path(spec)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".csv"):
        if not path.is_file():
            raise InputError(t(f"找不到地点表: {spec}", f"no such place sheet: {spec}"))
        rows = [r for r in _sheet_rows(path) if any(r)]
        head_i = next((i for i, r in enumerate(rows[:10]) if any("地点" in c or c.lower() == "place" for c in r)), None)
        if head_i is None:
            raise InputError(t(f"地点表 {spec} 没有“地点”列", f"the place sheet {spec} has no 地点 column"))
        head = rows[head_i]
        col = {k: next((j for j, c in enumerate(head) if any(w in c for w in words)), None)
               for k, words in (("place", ("地点", "place")), ("college", ("学院", "xymc")), ("class", ("班级", "bjmc")))}
        if col["college"] is None and col["class"] is None:
            raise InputError(t(f"地点表 {spec} 需要“学院”或“班级”列", f"the place sheet {spec} needs a 学院 or 班级 column"))
        out = Places("", {}, {})
        for r in rows[head_i + 1 :]:
            def cell(k):
                j = col[k]
                return r[j] if j is not None and j < len(r) else ""

            place = cell("place")
            if not place:
                continue
            if cell("class"):
                out.by_class[cell("class")] = place
            elif cell("college"):
                out.by_college[cell("college")] = place
        return out
    if "=" in spec or "＝" in spec:
        out = Places("", {}, {})
        for part in re.split(r"[;；\n]+", spec):
            if not part.strip():
                continue
            key, _, place = part.replace("＝", "=").partition("=")
            key, place = key.strip(), place.strip()
            if not key or not place:
                raise InputError(t(f"地点格式应为 学院或班级=地点: {part!r}", f"a place must be college-or-class=place: {part!r}"))
            if key in ("*", "其他", "默认"):
                out.default = place
            elif key in known_classes and key not in known_colleges:
                out.by_class[key] = place
            else:
                out.by_college[key] = place
        return out
    return Places(spec)


def apply_places(plan: Plan, places: Places) -> None:
    for sl in plan.slots:
        sl.place = places.for_class(sl.college, sl.class_name)
