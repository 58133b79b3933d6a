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
    """A private PostgreSQL cluster a test can stop and start again (an outage), on a Unix socket.

    ``PgCluster.create()`` returns None where Debian's postgresql is not installed.
    """

    def __init__(self, tmp: Path, prefix: list[str], pg_ctl: str):
        self.tmp, self.prefix, self.pg_ctl = tmp, prefix, pg_ctl
        self.data, self.sock = tmp / "data", tmp / "sock"

    @classmethod
    def create(cls) -> "PgCluster | None":
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            return None
        tmp = Path(tempfile.mkdtemp(prefix="station-pgc-"))
        (tmp / "sock").mkdir()
        prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(tmp, "postgres")
            shutil.chown(tmp / "sock", "postgres")
            tmp.chmod(0o755)
            prefix = ["runuser", "-u", "postgres", "--"]
        try:
            subprocess.run([*prefix, initdb, "-D", str(tmp / "data"), "-A", "trust", "-U", "station", "-E", "UTF8",
                            "--no-locale"], check=True, capture_output=True)
        except (subprocess.CalledProcessError, OSError):
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        cluster = cls(tmp, prefix, pg_ctl)
        cluster.start()
        return cluster

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://station@/{database}?host={self.sock}"

    def start(self) -> None:
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-w", "-l", str(self.tmp / "log"),
                        "-o", f"-k {self.sock} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, capture_output=True)
        for _ in range(50):
            if list(self.sock.glob(".s.PGSQL.*")):
                return
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
