"""Passwords on exports: encrypted workbooks (msoffcrypto-tool) and AES zip archives (pyzipper).

``--password`` on a report encrypts the .xlsx itself with the ECMA-376 agile
scheme that Excel and WPS open after asking for the password; on the photo
delivery it packs the whole delivery folder, as one inner ``delivery.zip``, into a
WinZip-AES-256 archive (7-Zip, WinRAR, Bandizip and WinZip open it; the plain
ZipCrypto of old zip tools is not used because it is broken). A zip's list of
names is never encrypted, so the names inside (ID numbers, schools, classes)
live only in the inner zip: without the password the archive shows one name,
``delivery.zip``.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

from app.errors import InputError, StationError
from capture import atomic


def check_password(password: str | None) -> str | None:
    if password is None:
        return None
    if len(password) < 6:
        raise InputError("密码至少 6 位 / the password needs at least 6 characters")
    return password


def encrypt_office(data: bytes, password: str) -> bytes:
    """An unencrypted .xlsx (bytes) → the same workbook encrypted with ``password``."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def is_encrypted_office(path: str | Path) -> bool:
    # An encrypted OOXML file is an OLE compound file (the encrypted package inside); a plain one is a zip.
    with open(path, "rb") as f:
        return f.read(8) == _OLE_MAGIC


def decrypt_office(path: str | Path, password: str) -> bytes:
    """The decrypted bytes of an encrypted workbook; wrong password → InputError."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        return decrypt_office_data(data, password)
    except Exception as exc:  # msoffcrypto raises InvalidKeyError and friends
        raise InputError(f"无法解密 {path}: 密码错误或文件损坏 ({exc})") from exc


def office_encryption(data: bytes) -> str | None:
    """How an Office file is encrypted (msoffcrypto-tool's format: "ooxml", "xls97", ...).

    None when it is not encrypted, or not an Office container msoffcrypto-tool knows.
    """
    import msoffcrypto

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if not office.is_encrypted():
            return None
    except Exception:  # not an Office container msoffcrypto knows
        return None
    return getattr(office, "format", None) or "office"


def decrypt_office_data(data: bytes, password: str) -> bytes:
    """The one decryption of an encrypted Office file (a workbook: xlsx, or a legacy xls), in memory.

    msoffcrypto-tool's exceptions pass through (``InvalidKeyError``: a wrong password).
    """
    import msoffcrypto

    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    try:
        office.load_key(password=password, verify_password=True)
    except TypeError:  # the xls decrypter verifies without being asked
        office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    return out.getvalue()


# Already-compressed photos gain nothing from deflate; text files do.
_STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".cr2", ".cr3", ".nef", ".arw", ".raf", ".dng", ".zip", ".xlsx", ".pdf"}

# The one member of an encrypted delivery: a plain zip of the delivery folder, so the folder and file
# names inside (ID numbers, names of schools and classes) are encrypted with the photos.
INNER_NAME = "delivery.zip"


class _HashingWriter(io.RawIOBase):
    """A write-only stream that hashes what passes through to ``out`` (no tell/seek: zipfile streams)."""

    def __init__(self, out):
        self.out, self.sha, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.out.write(b)
        self.sha.update(b)
        self.size += len(b)
        return len(b)


def zip_tree(src: Path, zip_path: Path, password: str, *, progress=None) -> dict[str, str]:
    """Pack every file under ``src`` into a WinZip-AES-256 archive that shows no personal data.

    The archive holds one member, ``delivery.zip`` (:data:`INNER_NAME`): a plain
    zip of the folder, written straight into the encrypted member (never to
    disk). ``zipfile.ZipFile('d.zip').namelist()`` shows only ``delivery.zip``;
    with the password (7-Zip, WinRAR, Bandizip, WinZip), ``delivery.zip`` comes
    out and opens with any zip tool, the Windows Explorer included.

    The archive is written beside its final name, read back with the password
    and the member's sha256 compared with what was written before it is renamed
    into place; on any error (a full disk, a kill's aftermath aside) the partial
    archive is removed. Returns {inner member: sha256}.
    """
    import pyzipper

    src = Path(src)
    zip_path = Path(zip_path)
    files = sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith("."))
    expected: dict[str, str] = {}

    def reads_back(tmp: Path) -> None:
        if _member_sha256(tmp, password) != stream.sha.hexdigest():
            raise StationError(f"加密压缩包校验失败 (磁盘有问题?): {zip_path}", exit_code=4)

    with atomic.atomic_path(zip_path, check=reads_back) as tmp, pyzipper.AESZipFile(
        tmp, "w", compression=pyzipper.ZIP_STORED, encryption=pyzipper.WZ_AES
    ) as zf:
        zf.setpassword(password.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        outer = zf.zipinfo_cls(INNER_NAME, time.localtime()[:6])  # AESZipInfo: dated, not 1980
        outer.compress_type = pyzipper.ZIP_STORED
        with zf.open(outer, "w", force_zip64=True) as member:
            stream = _HashingWriter(member)
            with zipfile.ZipFile(stream, "w", allowZip64=True) as inner:
                for i, p in enumerate(files):
                    name = p.relative_to(src).as_posix()
                    ctype = zipfile.ZIP_STORED if p.suffix.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED
                    h = hashlib.sha256()
                    with open(p, "rb") as fi, inner.open(_inner_info(name, p, ctype), "w", force_zip64=True) as fo:
                        for chunk in iter(lambda: fi.read(1 << 20), b""):
                            h.update(chunk)
                            fo.write(chunk)
                    expected[name] = h.hexdigest()
                    if progress:
                        progress(i + 1, len(files))
    return expected


def _inner_info(name: str, path: Path, ctype: int):
    info = zipfile.ZipInfo(name, time.localtime(path.stat().st_mtime)[:6])
    info.compress_type = ctype
    info.external_attr = 0o600 << 16
    return info


def _member_sha256(zip_path: Path, password: str) -> str:
    import pyzipper

    h = hashlib.sha256()
    with pyzipper.AESZipFile(zip_path) as zf:
        zf.setpassword(password.encode("utf-8"))
        with zf.open(INNER_NAME) as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def open_delivery(zip_path: Path, password: str):
    """The inner zip of an encrypted delivery, read into memory (checks and tests; deliveries are read
    by the centre with 7-Zip). Wrong password → InputError."""
    import pyzipper

    with pyzipper.AESZipFile(zip_path) as zf:
        zf.setpassword(password.encode("utf-8"))
        try:
            data = zf.read(INNER_NAME)
        except RuntimeError as exc:  # pyzipper: "Bad password for file"
            raise InputError(f"无法读取 {zip_path}: 密码错误 ({exc})") from exc
        except KeyError as exc:
            raise InputError(f"{zip_path} 不是本机导出的加密交付包") from exc
    return zipfile.ZipFile(io.BytesIO(data))


def verify_zip(zip_path: Path, password: str, expected: dict[str, str]) -> list[str]:
    """Members of the delivery that are missing or whose content differs from ``expected`` (member → sha256)."""
    bad: list[str] = []
    with open_delivery(zip_path, password) as inner:
        names = set(inner.namelist())
        for member, sha in expected.items():
            if member not in names or hashlib.sha256(inner.read(member)).hexdigest() != sha:
                bad.append(member)
    return bad


def read_zip_member(zip_path: Path, member: str, password: str) -> bytes:
    with open_delivery(zip_path, password) as inner:
        return inner.read(member)
