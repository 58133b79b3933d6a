"""What a roster file is, and its decryption: the reader's first step.

The file's first bytes decide, not its name: an OLE container (a legacy .xls,
or an encrypted workbook of any kind), a zip (xlsx), else text — a .csv, or one
of the ".xls" files student-record systems export that are really
tab-separated text or an HTML table.

Encrypted workbooks (the centre asks schools to send them encrypted) are
decrypted in memory with the station's one Office helper
(:func:`app.crypto.decrypt_office_data`); nothing decrypted touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.crypto import decrypt_office_data, office_encryption
from app.errors import InputError, PasswordNeeded
from app.i18n import t
from app.roster.formats import (
    LoadedSheet,
    password_needed,
    read_csv,
    read_html,
    sheets_from_workbook,
    sheets_from_xls,
)
from app.roster.limits import check_file_size, check_xlsx, unreadable

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Excel's built-in password for workbooks that are only "protected" (xls).
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"


@dataclass
class Opened:
    """A roster file opened: its sheets, not yet looked at."""

    sheets: list[tuple]  # (name, visible, workbook or LoadedSheet): load with formats.load_sheet
    notes: list[str] = field(default_factory=list)
    encrypted: bool = False
    rownos: list[int] | None = None  # a text table: the line number of each row (None: a workbook)

    @property
    def is_text(self) -> bool:
        return self.rownos is not None


def decrypt(data: bytes, path: Path, password: str | None) -> tuple[bytes, bool]:
    """The workbook's plain bytes, and whether it was encrypted."""
    from msoffcrypto import exceptions as mse

    kind = office_encryption(data)
    if kind is None:  # not encrypted, or not an Office container msoffcrypto knows: let calamine judge
        return data, False
    candidates = [password] if password else []
    if kind == "xls97":
        candidates.append(EXCEL_DEFAULT_PASSWORD)
    if not candidates:
        raise password_needed(path)
    for pw in candidates:
        try:
            return decrypt_office_data(data, pw), True
        except mse.InvalidKeyError:
            continue
        except (mse.DecryptionError, mse.FileFormatError, mse.ParseError) as exc:
            raise unreadable(path, t(f"无法解密({exc})", f"cannot decrypt ({exc})")) from None
    if not password:  # only Excel's built-in password was tried
        raise password_needed(path)
    raise PasswordNeeded(
        t(
            f"密码不对,无法打开名单 {path.name};请向学校确认密码",
            f"wrong password: cannot open the roster {path.name}; check the password with the school",
        ),
        wrong=True,
    )


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return True


def _is_html(data: bytes) -> bool:
    head = data[:2048].lower()
    return b"<table" in head or b"<html" in head or b"<!doctype html" in head or b"<tr" in head


def open_sheets(path: Path, password: str | None) -> Opened:
    """Read the file (within the limits), decrypt it, and list its sheets; raise InputError when it cannot be read."""
    if not path.is_file():
        raise InputError(t(f"找不到名单文件: {path}", f"roster file not found: {path}"))
    try:
        check_file_size(path, path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        raise unreadable(path, str(exc)) from None
    if not data:
        raise unreadable(path, t("文件是空的", "the file is empty"))

    if not data.startswith((OLE_MAGIC, ZIP_MAGIC)):
        return _open_text(path, data)
    opened = Opened([])
    if data.startswith(OLE_MAGIC):
        data, opened.encrypted = decrypt(data, path, password)
    elif password:
        opened.notes.append(t("名单没有加密,已忽略 --password", "the roster is not encrypted: --password ignored"))
    if data.startswith(ZIP_MAGIC):
        check_xlsx(data if opened.encrypted else None, path)
        opened.sheets = sheets_from_workbook(data if opened.encrypted else None, path)
    else:  # a legacy .xls (or an encrypted xlsx that is not a zip inside)
        opened.sheets = sheets_from_xls(data, path)
    return opened


def _open_text(path: Path, data: bytes) -> Opened:
    """A .csv, or an ".xls" that is really tab-separated text or an HTML table: one sheet."""
    notes = []
    if path.suffix.lower() not in (".csv", ".txt"):
        if not _looks_like_text(data):
            raise unreadable(path, t("不是 Excel 工作簿,也不是文本表格", "neither an Excel workbook nor a text table"))
        notes.append(
            t(
                f"{path.name} 的内容不是 Excel 格式而是文本表格,已按文本读取",
                f"{path.name} is a text table, not an Excel workbook: read as text",
            )
        )
    try:
        rows, rownos = read_html(data) if _is_html(data) else read_csv(data)
    except (ValueError, UnicodeError) as exc:
        raise unreadable(path, str(exc)) from None
    return Opened([(path.name, True, LoadedSheet(rows, []))], notes, False, rownos)
