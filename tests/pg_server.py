"""A private, throw-away PostgreSQL server for the tests that must pass on a site database.

``STATION_TEST_PG_URL`` names an existing server; otherwise, where Debian's
postgresql package is installed (scripts/bootstrap.sh --test installs it), a
cluster is created in a temporary folder, listens on a Unix socket only, and
is stopped at the end of the session. As root, the server runs as the
``postgres`` user (initdb refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@contextmanager
def postgres_server():
    """Yields a SQLAlchemy URL of an empty database, or None when no server can be had."""
    url = os.environ.get("STATION_TEST_PG_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        yield None
        return
    root = os.geteuid() == 0
    tmp = Path(tempfile.mkdtemp(prefix="station-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if root:
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
        tmp.chmod(0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "station", "-E", "UTF8", "--no-locale"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-w", "-l", str(tmp / "log"),
             "-o", f"-k {sock} -c listen_addresses='' -c fsync=off", "start"],
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(tmp, ignore_errors=True)
        yield None
        return
    try:
        for _ in range(50):
            if list(sock.glob(".s.PGSQL.*")):
                break
            time.sleep(0.1)
        yield f"postgresql+psycopg://station@/postgres?host={sock}"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)



class PgCluster:
    """A private PostgreSQL cluster a test can stop and start again (an outage), on a Unix socket
    only: the product's own :class:`app.site_server.LocalPostgres`. None where postgresql is missing."""

    def __init__(self, server):
        self.server = server

    @classmethod
    def create(cls) -> "PgCluster | None":
        from app import site_server

        if not site_server.available():
            return None
        server = site_server.LocalPostgres(Path(tempfile.mkdtemp(prefix="station-pgc-")), port=55431)
        server.init()
        server.start()
        return cls(server)

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def create_database(self, name: str) -> str:
        return self.server.create_database(name)

    def destroy(self) -> None:
        self.server.stop()
        shutil.rmtree(self.server.root, ignore_errors=True)
