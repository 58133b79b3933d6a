"""The local station's identity and the current shooting session.

A station's identity is its ``stations`` row with ``is_local`` (its uid is
what `station merge` tells stations apart by). A copied station database
(a laptop cloned, ``station.db`` copied to a second laptop or beside the
first) must not carry on under the same identity, or a merge would take the
two stations for one. So the database remembers where it lives (the machine's
id, the file's path and inode, in the private setting ``_station.identity``);
when it finds itself elsewhere, the old identity becomes a remote station
and this copy gets a new one (same number and name from the settings), with
an audit record. Moving the file counts as a copy: a new identity is harmless,
a shared one is not.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, settings
from app.models import Setting, ShootingSession, Station, now

log = logging.getLogger(__name__)

IDENTITY_KEY = "_station.identity"


def machine_id() -> str:
    """This computer's id (systemd's /etc/machine-id), else its host name and network address."""
    for p in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            v = Path(p).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if v:
            return v
    return f"{socket.gethostname()}-{uuid.getnode():012x}"


def db_fingerprint(session: Session) -> dict | None:
    """Where this database file lives: machine, path, inode (None for a server or an in-memory database)."""
    url = session.get_bind().url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    try:
        path = Path(url.database).expanduser().resolve()
        ino = os.stat(path).st_ino
    except OSError:
        return None
    return {"machine": machine_id(), "path": str(path), "inode": ino}


def _check_identity(session: Session, st: Station | None) -> Station | None:
    """``st``, or None when this database is a copy (the old identity is made remote)."""
    fp = db_fingerprint(session)
    if fp is None:
        return st
    row = session.get(Setting, IDENTITY_KEY)
    recorded = json.loads(row.value) if row is not None else None
    if recorded == fp:
        return st
    if st is not None and recorded is not None:
        what = ", ".join(k for k in ("machine", "path", "inode") if recorded.get(k) != fp[k])
        log.warning("this station database was copied or moved (%s differs): station %s gets a new identity", what, st.uid)
        st.is_local = False
        audit.record(session, "station_new_identity", scope={"old_station": st.uid},
                     details=f"database copied or moved ({what}): {recorded.get('path')} -> {fp['path']}")
        st = None
    if row is None:
        session.add(Setting(key=IDENTITY_KEY, value=json.dumps(fp)))
    else:
        row.value = json.dumps(fp)
    session.flush()
    return st


def local_station(session: Session) -> Station:
    """The row for this laptop, created from the settings on first use."""
    st = session.scalars(select(Station).where(Station.is_local.is_(True)).order_by(Station.id)).first()
    st = _check_identity(session, st)
    number = int(settings.get(session, "station.number"))
    name = str(settings.get(session, "station.name"))
    if st is None:
        st = Station(number=number, name=name, is_local=True)
        session.add(st)
        session.flush()
    elif (st.number, st.name) != (number, name):
        st.number, st.name = number, name
    return st


def open_session(session: Session, operator: str | None = None) -> ShootingSession:
    """A new shooting session on this station (the previous open one is closed)."""
    st = local_station(session)
    for old in session.scalars(
        select(ShootingSession).where(ShootingSession.station_id == st.id, ShootingSession.ended_at.is_(None))
    ):
        old.ended_at = now()
    s = ShootingSession(station_id=st.id, operator=operator)
    session.add(s)
    session.flush()
    return s
