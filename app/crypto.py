"""Passwords on exports: encrypted workbooks (msoffcrypto-tool) and AES zip archives (pyzipper).

``--password`` on a report encrypts the .xlsx itself with the ECMA-376 agile
scheme that Excel and WPS open after asking for the password; on the photo
delivery it packs the whole delivery folder into a WinZip-AES-256 archive
(7-Zip, WinRAR, Bandizip and the Windows 11 extractor open it; the plain ZipCrypto
of old zip tools is not used because it is broken).
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from app.errors import InputError, StationError


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
    import msoffcrypto

    with open(path, "rb") as f:
        office = msoffcrypto.OfficeFile(f)
        try:
            office.load_key(password=password, verify_password=True)
            out = io.BytesIO()
            office.decrypt(out)
        except Exception as exc:  # msoffcrypto raises InvalidKeyError and friends
            raise InputError(f"无法解密 {path}: 密码错误或文件损坏 ({exc})") from exc
    return out.getvalue()


def write_atomic(path: str | Path, data: bytes, *, expect_sha256: str | None = None) -> Path:
    """Write, fsync, rename: a reader never sees half a file, a crash leaves the old one.

    With ``expect_sha256`` the written file is read back and hashed before the
    rename; a mismatch (a failing disk) removes it and raises StationError.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:  # a full disk, a kill: no half-written hidden file is left
        tmp.unlink(missing_ok=True)
        raise
    if expect_sha256 is not None:
        from app.audit import file_sha256

        if file_sha256(tmp) != expect_sha256:
            tmp.unlink(missing_ok=True)
            raise StationError(f"写入校验失败 (磁盘有问题?): {path}", exit_code=4)
    os.replace(tmp, path)
    return path


# Already-compressed photos gain nothing from deflate; text files do.
_STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".cr2", ".cr3", ".nef", ".arw", ".raf", ".dng", ".zip", ".xlsx", ".pdf"}


def zip_tree(src: Path, zip_path: Path, password: str, *, progress=None) -> dict[str, str]:
    """Pack every file under ``src`` into an AES-256 zip; returns {member: sha256}.

    The archive is written beside its final name, read back with the password
    and every member's sha256 compared with the file it came from before it is
    renamed into place: a delivery archive that does not open is never left behind.
    """
    import pyzipper

    src = Path(src)
    zip_path = Path(zip_path)
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(f".{zip_path.name}.part")
    files = sorted(p for p in src.rglob("*") if p.is_file() and not p.name.startswith("."))
    expected: dict[str, str] = {}
    with pyzipper.AESZipFile(tmp, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for i, p in enumerate(files):
            member = p.relative_to(src).as_posix()
            data = p.read_bytes()
            expected[member] = hashlib.sha256(data).hexdigest()
            ctype = pyzipper.ZIP_STORED if p.suffix.lower() in _STORED_SUFFIXES else pyzipper.ZIP_DEFLATED
            zf.writestr(member, data, compress_type=ctype)
            if progress:
                progress(i + 1, len(files))
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    bad = verify_zip(tmp, password, expected)
    if bad:
        tmp.unlink(missing_ok=True)
        raise StationError(f"加密压缩包校验失败: {', '.join(bad[:5])}", exit_code=4)
    os.replace(tmp, zip_path)
    return expected


def verify_zip(zip_path: Path, password: str, expected: dict[str, str]) -> list[str]:
    """Members that are missing or whose content differs from ``expected`` (member → sha256)."""
    import pyzipper

    bad: list[str] = []
    with pyzipper.AESZipFile(zip_path) as zf:
        zf.setpassword(password.encode("utf-8"))
        names = set(zf.namelist())
        for member, sha in expected.items():
            if member not in names:
                bad.append(member)
                continue
            if hashlib.sha256(zf.read(member)).hexdigest() != sha:
                bad.append(member)
    return bad


def read_zip_member(zip_path: Path, member: str, password: str) -> bytes:
    import pyzipper

    with pyzipper.AESZipFile(zip_path) as zf:
        zf.setpassword(password.encode("utf-8"))
        try:
            return zf.read(member)
        except RuntimeError as exc:  # pyzipper: "Bad password for file"
            raise InputError(f"无法读取 {zip_path}: 密码错误 ({exc})") from exc
