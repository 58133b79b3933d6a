"""The audit log: every import and export of personal data leaves a record."""

from __future__ import annotations

import getpass
import json
import socket
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditLog
from capture.atomic import sha256_file


def actor() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


file_sha256 = sha256_file  # the one sha256 helper (capture/durable.py), under the name the reports use


def record(
    session: Session,
    action: str,
    *,
    scope: dict[str, Any] | None = None,
    rows: int | None = None,
    path: str | Path | None = None,
    encrypted: bool = False,
    details: str | None = None,
) -> AuditLog:
    p = Path(path) if path else None
    entry = AuditLog(
        actor=actor(),
        action=action,
        scope=json.dumps(scope, ensure_ascii=False, default=str) if scope else None,
        rows=rows,
        path=str(p.resolve()) if p else None,
        file_sha256=file_sha256(p) if p and p.is_file() else None,
        encrypted=encrypted,
        details=details,
    )
    session.add(entry)
    return entry
