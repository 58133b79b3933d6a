"""The roster's fields (attachment 2 of the centre's notice) and how headers map to them.

The nine required fields are named as the notice spells them (Bynd, xxmc, Zymc,
Bjmc, Xh, Sfzh, Xm, Xb, Ksh); findings and the ``--json`` output use exactly
these names. The optional college column is reported as ``Xymc`` (学院名称, the
name student-record systems use for it).
"""

from __future__ import annotations

import re

from app.i18n import language

FIELDS: tuple[str, ...] = ("Bynd", "xxmc", "Zymc", "Bjmc", "Xh", "Sfzh", "Xm", "Xb", "Ksh")
COLLEGE = "Xymc"
ALL_FIELDS: tuple[str, ...] = (*FIELDS, COLLEGE)

# Position of each field in a cleaned row (a list in ALL_FIELDS order).
IDX = {f: i for i, f in enumerate(ALL_FIELDS)}

# Student model attribute for each field.
ATTR = {
    "Bynd": "grad_year",
    "xxmc": "school",
    "Zymc": "major",
    "Bjmc": "class_name",
    "Xh": "student_no",
    "Sfzh": "id_number",
    "Xm": "name",
    "Xb": "gender",
    "Ksh": "exam_no",
    COLLEGE: "college",
}

LABEL_ZH = {
    "Bynd": "毕业年度",
    "xxmc": "学校名称",
    "Zymc": "专业名称",
    "Bjmc": "班级名称",
    "Xh": "学号",
    "Sfzh": "身份证号",
    "Xm": "姓名",
    "Xb": "性别",
    "Ksh": "考生号",
    COLLEGE: "学院",
}
LABEL_EN = {
    "Bynd": "graduation year",
    "xxmc": "school",
    "Zymc": "major",
    "Bjmc": "class",
    "Xh": "student number",
    "Sfzh": "ID number",
    "Xm": "name",
    "Xb": "gender",
    "Ksh": "exam number",
    COLLEGE: "college",
}

# Header spellings seen in real rosters, normalised (see normalise_header).
_ALIASES: dict[str, tuple[str, ...]] = {
    "Bynd": ("bynd", "毕业年度", "毕业年份", "毕业年", "毕业届别", "届别", "毕业届", "届次"),
    "xxmc": ("xxmc", "学校名称", "学校", "院校名称", "院校", "学校全称", "xxqc"),
    "Zymc": ("zymc", "专业名称", "专业", "专业全称", "所学专业"),
    "Bjmc": ("bjmc", "班级名称", "班级", "行政班", "行政班级", "班级名", "所在班级"),
    "Xh": ("xh", "学号", "学生学号", "学籍号"),
    "Sfzh": (
        "sfzh",
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份号码",
        "证件号码",
        "证件号",
        "sfzjh",
        "zjhm",
        "sfzhm",
    ),
    "Xm": ("xm", "姓名", "学生姓名", "名字"),
    "Xb": ("xb", "性别", "xbm"),
    "Ksh": ("ksh", "考生号", "高考考生号", "考生编号", "考号", "高考报名号"),
    COLLEGE: (
        "xymc",
        "yxmc",
        "xy",
        "yx",
        "yxsmc",
        "学院",
        "学院名称",
        "院系",
        "院系名称",
        "院(系)",
        "院(系)名称",
        "系",
        "系别",
        "所在学院",
        "所属学院",
        "所在院系",
        "所属院系",
        "二级学院",
        "分院",
    ),
}

HEADER_ALIASES: dict[str, str] = {a: f for f, names in _ALIASES.items() for a in names}

_BRACKETS = re.compile(r"[(\[{<].*?[)\]}>]")
_STRIP = re.compile(r"[\s\u00a0\u200b-\u200f\u2060\ufeff\u3000*※:：]+")


def _halfwidth(s: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        out.append(ch)
    return "".join(out)


def normalise_header(value: object) -> str:
    """Lower-case, half-width, without spaces or hidden characters."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = _halfwidth(str(value))
    return _STRIP.sub("", s).lower()


def field_for_header(value: object) -> str | None:
    """The field a header cell names, or None (an extra column)."""
    h = normalise_header(value)
    if not h:
        return None
    f = HEADER_ALIASES.get(h)
    if f is None:
        # "身份证号(18位)", "学号（必填）": drop a bracketed remark and try again.
        bare = _BRACKETS.sub("", h)
        if bare != h:
            f = HEADER_ALIASES.get(bare)
    return f


def label(field: str) -> str:
    """The field's name for messages: 身份证号(Sfzh) / ID number (Sfzh)."""
    if language() == "en":
        return f"{LABEL_EN.get(field, field)} ({field})"
    return f"{LABEL_ZH.get(field, field)}({field})"
