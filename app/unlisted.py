"""Who is at the camera: what a card reader's code is, and whether an unlisted student can be registered.

Plain rules, no database: the F2 form (``ui/dialogs.py``) and
:meth:`app.workflow.Workflow.add_unlisted` ask :func:`unlisted_problem`; the
workflow's identify asks :func:`looks_like_id` and :func:`id_matches`.
"""

from __future__ import annotations

from datetime import datetime

from app.i18n import t
from app.models import Student
from app.roster import idcard
from app.roster.pinyin import initials


def looks_like_id(code: str) -> bool:
    """What an ID-card reader types: an 18-character (or legacy 15-digit) citizen number."""
    return (len(code) == 18 and code[:17].isdigit() and code[17] in "0123456789X") or (len(code) == 15 and code.isdigit())


def id_matches(read: str, st: Student) -> bool:
    """The number read is this student's ID number (as listed, its 18-character form, or Excel's mangled 15 digits)."""
    return read in (st.id_number, st.id_number18) or (len(read) == 18 and (st.id_number or "")[:15] == read[:15])


def name_initials(name: str) -> str:
    return initials(name)


def unlisted_problem(*, id_number: str, gender: str, class_name: str, college: str, grad_year: str = "") -> str | None:
    """Why an unlisted student cannot be registered yet (the F2 form and :meth:`Workflow.add_unlisted`), or None."""
    idn = (id_number or "").strip().upper()
    if idn:
        year = int(grad_year) if str(grad_year).isdigit() else datetime.now().year
        if len(idn) not in (15, 18) or not idcard.is_valid(idn, earliest_birth=idcard.EARLIEST_BIRTH,
                                                           latest_birth=idcard.latest_birth_for(year)):
            if len(idn) == 18 and idn[:17].isdigit() and idn[17] in "0123456789X" \
                    and idcard.check_char(idn[:17]) != idn[17]:
                return t("身份证号校验位不对 (GB 11643): 请核对证件", "The ID number's check character is wrong (GB 11643)")
            if len(idn) in (15, 18) and idn[:15].isdigit():
                return t("身份证号中的出生日期不对: 请核对证件", "The ID number's birth date is not valid")
            return t("身份证号应为18位 (或15位旧号码)", "An ID number has 18 characters (or 15 digits, old style)")
        born_as = idcard.gender(idn)
        if gender.strip() and born_as and gender.strip() != born_as:
            return t(f"性别与身份证号不符 (身份证号为{born_as}性)", f"The gender does not match the ID number ({born_as})")
    if not (class_name or "").strip() and not (college or "").strip():
        return t("请填写班级或学院 (照片按学院、班级交付)", "Enter a class or a college (photos are delivered by them)")
    return None
