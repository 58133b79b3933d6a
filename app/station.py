"""The local station's identity and the current shooting session."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import settings
from app.models import ShootingSession, Station, now


def local_station(session: Session) -> Station:
    """The row for this laptop, created from the settings on first use."""
    st = session.scalars(select(Station).where(Station.is_local.is_(True)).order_by(Station.id)).first()
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
