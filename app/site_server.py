"""A PostgreSQL server in a folder of this laptop: the school's site database (and the tests' own).

``station site server --data DIR`` creates the cluster on first use (Debian's postgresql
binaries: ``scripts/bootstrap.sh --site`` installs them), with a generated password for the
``station`` role that is printed once and written to the owner-only ``~/.pgpass``; network
connections need that password (scram-sha-256), the Unix socket is for the server's own
user only. It listens on the addresses given (the LAN's, never a public one) and creates
the ``site`` database; ``station site init`` then migrates it.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

from app.errors import StationError


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return bool(_bin("initdb") and _bin("pg_ctl"))


class LocalPostgres:
    """One cluster: ``data`` holds it, ``sock`` its Unix socket; ``listen`` the TCP addresses ('' = none)."""

    def __init__(self, root: Path, *, listen: str = "", port: int = 55432):
        self.root = Path(root).expanduser().resolve()
        self.data, self.sock = self.root / "data", self.root / "sock"
        self.listen, self.port = listen, port
        self.pg_ctl = _bin("pg_ctl")
        self.initdb = _bin("initdb")
        if not self.pg_ctl or not self.initdb:
            raise StationError("没有 PostgreSQL 程序: 先运行 scripts/bootstrap.sh --site", exit_code=2)
        # initdb refuses root: as root the server runs as Debian's postgres user
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").is_file()

    def init(self, *, password: str | None = None, user: str = "station") -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.sock.mkdir(exist_ok=True)
        if self.prefix:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
        self.root.chmod(0o700 if not self.prefix else 0o755)
        cmd = [*self.prefix, self.initdb, "-D", str(self.data), "-U", user, "-E", "UTF8", "--no-locale"]
        pwfile = None
        if password is None:
            cmd += ["-A", "trust"]
        else:
            pwfile = self.root / ".pw"
            fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(password + "\n")
            if self.prefix:
                shutil.chown(pwfile, "postgres")
            cmd += ["--auth-host=scram-sha-256", "--auth-local=trust", f"--pwfile={pwfile}"]
        try:
            subprocess.run(cmd, check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as exc:
            raise StationError(f"建立数据库集群失败: {exc.stderr.strip()[-300:]}", exit_code=4) from None
        finally:
            if pwfile is not None:
                pwfile.unlink(missing_ok=True)
        if password is not None:
            with open(self.data / "pg_hba.conf", "a", encoding="utf-8") as f:
                # the LAN, with the password; nothing else (loopback included, by the lines initdb wrote)
                f.write("host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n")

    def start(self) -> None:
        opts = f"-k {self.sock} -c listen_addresses='{self.listen}' -p {self.port} -c unix_socket_permissions=0700"
        if not self.listen:
            opts += " -c fsync=off"  # a private test cluster only
        try:
            subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-w", "-l", str(self.root / "server.log"),
                            "-o", opts, "start"], check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as exc:
            raise StationError(f"数据库服务器没有启动 (见 {self.root / 'server.log'}): {exc.stderr.strip()[-300:]}",
                               exit_code=4) from None
        for _ in range(50):
            if list(self.sock.glob(".s.PGSQL.*")):
                return
            time.sleep(0.1)

    def stop(self) -> None:
        subprocess.run([*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"],
                       capture_output=True)

    def socket_url(self, database: str = "postgres", user: str = "station") -> str:
        return f"postgresql+psycopg://{user}@/{database}?host={self.sock}&port={self.port}"

    def create_database(self, name: str) -> str:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.socket_url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.socket_url(name)


def new_password() -> str:
    return secrets.token_urlsafe(18)
