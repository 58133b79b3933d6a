"""The site database's URL without its password: a password is never stored in the database nor logged.

It goes to the owner-only ``~/.pgpass`` (libpq reads it) or ``STATION_SITE_PASSWORD``; messages show
the URL masked. Below app.settings (which refuses a ``site.url`` with a password) and app.site_sync.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from app.errors import InputError


def strip_password(url: str) -> tuple[str, str | None]:
    """(the URL without a password, the password or None)."""
    try:
        u = make_url(url)
    except Exception as exc:  # noqa: BLE001 — any malformed URL is the operator's to fix
        raise InputError(f"站点数据库地址不正确: {display_url(url)} ({type(exc).__name__})") from None
    pw = u.password
    if pw is None:
        return url, None
    return u._replace(password=None).render_as_string(hide_password=False), str(pw)


def display_url(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "(无法解析的地址)"


def driver_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def remember_password(url: str, password: str, pgpass: Path | None = None) -> Path:
    """Write (or replace) the URL's line in the owner-only ``~/.pgpass`` that libpq reads."""
    u = make_url(url)
    path = pgpass or Path(os.environ.get("PGPASSFILE") or Path.home() / ".pgpass")
    host = u.host or u.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    fields = [str(host), str(u.port or 5432), u.database or "*", u.username or "*"]

    def esc(v: str) -> str:
        return v.replace("\\", "\\\\").replace(":", "\\:")

    key = ":".join(esc(f) for f in fields) + ":"
    lines = []
    if path.exists():
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith(key)]
    lines.append(key + esc(password))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
