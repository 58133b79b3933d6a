"""Roles: the photographer shoots; the station supervisor's PIN guards what touches personal data.

PIPL counts a face and an ID number as sensitive personal information. On a
station the photographer shoots, retakes and accepts passing photos freely;
these actions need the supervisor's PIN (:data:`SUPERVISED`):

- ``override``: accepting a photo that failed a check;
- ``export``: the photo delivery, the reconciliation and errata workbooks;
- ``roster_import``: bringing a roster's names and ID numbers onto the station;
- ``purge``: deleting a school's photos and personal data;
- ``settings``: changing the station's settings (and the PIN itself).

The PIN is set at first start (the window asks) or with ``station pin set``;
it is stored as ``hashlib.scrypt`` (a fresh 16-byte salt, n=2**14, r=8, p=1)
in the private setting ``_supervisor.pin``, never in clear. Each guarded
action leaves an audit record with who (user@host and the role) and when.
Until a PIN is set, the guarded actions run (the log says so, and the
actions' own audit records still say who and when); the window asks for a
PIN at its first start.

On the command line the PIN comes from ``--pin``, the file named by
``STATION_PIN_FILE`` (first line), or a hidden prompt on a terminal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
from pathlib import Path

from sqlalchemy.orm import Session

from app import audit
from app.errors import InputError, PermissionDenied
from app.models import Setting

log = logging.getLogger(__name__)

PIN_KEY = "_supervisor.pin"
ENV_FILE = "STATION_PIN_FILE"
SUPERVISED = {
    "override": ("接受未通过检查的照片", "accept a photo that failed a check"),
    "export": ("导出 (照片交付、对账表、勘误表)", "exports (delivery, reconciliation, errata)"),
    "roster_import": ("导入名单", "roster import"),
    "purge": ("删除学校的照片和个人信息", "purge a school's photos and personal data"),
    "settings": ("修改设置", "change settings"),
}
_N, _R, _P = 2**14, 8, 1
MIN_LEN = 4


def _hash(pin: str, salt: bytes, n: int = _N, r: int = _R, p: int = _P) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def pin_is_set(session: Session) -> bool:
    return session.get(Setting, PIN_KEY) is not None


def set_pin(session: Session, pin: str) -> None:
    pin = (pin or "").strip()
    if len(pin) < MIN_LEN:
        raise InputError(f"主管 PIN 至少 {MIN_LEN} 位 / the supervisor PIN needs at least {MIN_LEN} characters")
    salt = secrets.token_bytes(16)
    value = json.dumps({"scrypt": {"n": _N, "r": _R, "p": _P}, "salt": salt.hex(), "hash": _hash(pin, salt).hex()})
    row = session.get(Setting, PIN_KEY)
    if row is None:
        session.add(Setting(key=PIN_KEY, value=value))
    else:
        row.value = value
    session.flush()


def check_pin(session: Session, pin: str | None) -> bool:
    row = session.get(Setting, PIN_KEY)
    if row is None or not pin:
        return False
    d = json.loads(row.value)
    prm = d.get("scrypt", {})
    got = _hash(pin.strip(), bytes.fromhex(d["salt"]), prm.get("n", _N), prm.get("r", _R), prm.get("p", _P))
    return hmac.compare_digest(got, bytes.fromhex(d["hash"]))


def cli_pin(value: str | None) -> str | None:
    """The PIN the command line was given: ``--pin``, else $STATION_PIN_FILE's first line (no prompt here)."""
    if value:
        return value
    env = os.environ.get(ENV_FILE)
    if env:
        try:
            lines = Path(env).expanduser().read_text(encoding="utf-8-sig").splitlines()
        except OSError as exc:
            raise InputError(f"无法读取 PIN 文件 {env}: {exc.strerror or exc} / cannot read the PIN file") from None
        return lines[0].strip() if lines else None
    return None


def require(session: Session, action: str, pin: str | None, *, prompt: bool = True) -> str:
    """Check the supervisor's PIN for ``action``; returns the role to audit ("supervisor" or "no PIN set").

    Raises PermissionDenied (exit 7) for a missing or wrong PIN. Without a
    PIN given, asks on a terminal (``prompt``).
    """
    if action not in SUPERVISED:
        raise ValueError(action)
    if not pin_is_set(session):
        return "no PIN set"
    what = SUPERVISED[action][0]
    if not pin and prompt and sys.stdin.isatty():
        import getpass

        pin = getpass.getpass(f"主管 PIN ({what}): ")
    if not pin:
        raise PermissionDenied(
            f"{what}需要主管 PIN: 请加 --pin, 或用 STATION_PIN_FILE 指定 PIN 文件。"
            f" / {SUPERVISED[action][1]} needs the supervisor PIN (--pin or STATION_PIN_FILE)."
        )
    if not check_pin(session, pin):
        raise PermissionDenied(f"主管 PIN 不对, 未执行: {what}。 / Wrong supervisor PIN.")
    return "supervisor"


def authorize(session: Session, action: str, pin: str | None, *, prompt: bool = True, scope: dict | None = None) -> str:
    """:func:`require` and an audit record of the authorisation (who, when, which action)."""
    role = require(session, action, pin, prompt=prompt)
    if role == "supervisor":  # the action's own record (export_photos, roster_import...) says what was done
        audit.record(session, f"authorize_{action}", scope=scope, details=f"role: {role}")
    else:
        log.warning("%s without a supervisor PIN: none is set (station pin set)", action)
    return role


def authorize_cli(args, db, action: str, scope: dict | None = None) -> str:
    """For a command: the PIN from --pin / STATION_PIN_FILE / a prompt, checked and audited (committed at once)."""
    with db.session() as s:
        role = authorize(s, action, cli_pin(getattr(args, "pin", None)), scope=scope)
        s.commit()
    return role
