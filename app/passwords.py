"""Where a password comes from: a file, a prompt, or (least safe) the command line; never the log.

A password typed on the command line is visible to every user of the laptop
in ``ps`` and stays in the shell's history. So each command that takes one
also reads it from ``--password-file FILE`` or the file named by
``STATION_PASSWORD_FILE`` (first line; keep the file owner-only), or asks for
it (``--password -``: a hidden prompt on a terminal, one line of standard
input otherwise). Nothing here logs the password or its source file's content.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app.errors import InputError

ENV_FILE = "STATION_PASSWORD_FILE"


def read_password_file(path: str | os.PathLike) -> str:
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"找不到密码文件: {p} / password file not found") from None
    except OSError as exc:
        raise InputError(f"无法读取密码文件 {p}: {exc.strerror or exc} / cannot read the password file") from None
    line = text.splitlines()[0] if text.splitlines() else ""
    if not line:
        raise InputError(f"密码文件是空的: {p} / the password file is empty")
    return line


def prompt(confirm: bool = False) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("密码 / password: ")
    if confirm and getpass.getpass("再输入一次 / again: ") != first:
        raise InputError("两次输入的密码不一致 / the passwords differ")
    return first


def get_password(value: str | None, file: str | None = None, *, confirm: bool = False, use_env: bool = True) -> str | None:
    """The password from ``--password-file``, ``--password -`` (prompt), ``--password PW``, else $STATION_PASSWORD_FILE."""
    if file:
        return read_password_file(file)
    if value == "-":
        return prompt(confirm) or None
    if value:
        return value
    env = os.environ.get(ENV_FILE) if use_env else None
    if env:
        return read_password_file(env)
    return None
