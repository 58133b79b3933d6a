"""Roster findings: every problem found in a roster, with its code and a message.

A finding names the Excel row (as Excel numbers it: the header row of a
normal roster is row 1), the field (one of the nine names of attachment 2, or
``Xymc`` for the college column), a stable code, a severity and a message in the
station's language. ``original`` is the value as read (invisible characters
spelled out, e.g. ``⟨U+200B⟩``) and ``fixed`` the value stored when the station
repaired it. Errors mark a row the school must correct (the errata form is
filled from them); warnings were repaired and are reported so nothing changes
silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import t

ERROR = "error"
WARNING = "warning"

# code -> (severity, what it means in Chinese, in English). The messages of
# individual findings add the details (the row a duplicate repeats, ...).
CODES: dict[str, tuple[str, str, str]] = {
    # errors: the row is imported and flagged; the school must correct it.
    "empty": (ERROR, "必填字段为空", "a required field is blank"),
    "id_stored_as_number": (
        ERROR,
        "身份证号被 Excel 存成了数字,末几位已丢失,无法恢复",
        "the ID number was stored as a number by Excel: its last digits are lost",
    ),
    "id_length": (ERROR, "身份证号位数不对(应为18位或15位)", "the ID number is not 18 (or 15) characters long"),
    "id_format": (
        ERROR,
        "身份证号含有数字以外的字符(只有第18位可以是X)",
        "the ID number contains characters other than digits (only the 18th may be X)",
    ),
    "id_checksum": (ERROR, "身份证号校验码不符(GB 11643)", "the ID number's check character is wrong (GB 11643)"),
    "id_birthdate": (
        ERROR,
        "身份证号中的出生日期不存在或不合理",
        "the birth date in the ID number does not exist or is not plausible",
    ),
    "id_gender_mismatch": (
        ERROR,
        "身份证号的性别位与性别栏不一致",
        "the ID number's gender digit disagrees with the gender column",
    ),
    "duplicate": (ERROR, "与前面某行重复", "repeats an earlier row"),
    "invalid_value": (ERROR, "取值不合法", "not a valid value"),
    "garbled": (ERROR, "含有乱码(编码错误),请学校按原始资料重新填写", "garbled text (wrong character encoding)"),
    "missing_column": (ERROR, "名单缺少这一列", "the roster has no such column"),
    # warnings: repaired by the station, reported so the school can fix the source.
    "hidden_chars": (
        WARNING,
        "含有隐藏字符(零宽字符、不换行空格、控制字符),已删除",
        "hidden characters (zero-width, no-break space, control) removed",
    ),
    "fullwidth": (WARNING, "含有全角数字、字母或空格,已转为半角", "full-width digits, letters or spaces converted"),
    "spaces": (WARNING, "含有多余空格,已删除", "extra spaces removed"),
    "lowercase_x": (WARNING, "末位校验码是小写x,已改为大写X", "lower-case check character x upper-cased"),
    "id_legacy_15": (
        WARNING,
        "15位旧身份证号,已保留并推算出18位号码",
        "legacy 15-digit ID number kept; its 18-digit form derived",
    ),
    "stored_as_number": (
        WARNING,
        "以数字格式存储,已转为文本;前导0可能已丢失",
        "stored as a number and converted to text; leading zeros may be lost",
    ),
    "stored_as_date": (WARNING, "以日期格式存储,已转为文本", "stored as a date and converted to text"),
    "gender_text": (WARNING, "性别写法不规范,已改为“男”或“女”", "gender spelled differently, changed to 男/女"),
    "merged_cell": (
        WARNING,
        "合并单元格,已按表格中看到的值填入",
        "part of a merged cell: filled with the value the sheet shows",
    ),
    "skipped_row": (
        WARNING,
        "这一行没有学号、身份证号和姓名,不是学生记录,已跳过",
        "the row has no student number, ID number or name: skipped",
    ),
}

ERROR_CODES = frozenset(c for c, v in CODES.items() if v[0] == ERROR)
WARNING_CODES = frozenset(c for c, v in CODES.items() if v[0] == WARNING)


@dataclass(slots=True)
class Finding:
    row: int  # Excel row number
    field: str
    code: str
    severity: str
    message: str
    original: str | None = None
    fixed: str | None = None
    index: int | None = None  # position of the row among the roster's student rows; None: file level

    def __post_init__(self) -> None:
        # A message may quote roster text: its control characters (an ESC would drive the operator's
        # terminal; openpyxl refuses them in the report) are spelled out like ``original``'s.
        if not self.message.isprintable():
            self.message = "".join(ch if ch.isprintable() or ch in "\n\t" else f"⟨U+{ord(ch):04X}⟩"
                                   for ch in self.message)

    def to_json(self) -> dict:
        """The stable line format of `station roster check --json`."""
        return {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


def describe(code: str) -> str:
    sev, zh, en = CODES[code]
    return t(zh, en)


def severity(code: str) -> str:
    return CODES[code][0]


def visible(value: object) -> str | None:
    """The value as read, with invisible characters spelled out (⟨U+200B⟩)."""
    if value is None:
        return None
    if isinstance(value, float):
        return format(value, ".15g") if not value.is_integer() or abs(value) >= 1e15 else str(int(value))
    s = value if isinstance(value, str) else str(value)
    if s.isprintable() and "\u3000" not in s and "\u00a0" not in s:
        return s
    out = []
    for ch in s:
        if ch == " ":
            out.append(ch)
        elif not ch.isprintable() or ch in "\u00a0\u3000\u2007\u202f\u00ad":
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)
