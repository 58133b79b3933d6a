"""Private staging folders for the plain files behind an encrypted delivery.

An encrypted delivery is built as a plain folder first (photos named by ID
number, the manifest with names) and then packed (:func:`app.crypto.zip_tree`).
That folder lives only in the station's own cache
(``$XDG_CACHE_HOME/graduate-photo-station/export/<pid>-<random>``, owner-only),
never on the USB stick, and :func:`app.export.export_encrypted` deletes it in
``finally``. A process that is killed cannot clean up, so each folder records
its process id and :func:`cleanup_stale_staging` (run when a ``station``
command starts and before every encrypted export) removes every folder whose
process is gone, and anything an older version left there.

Light on purpose (no database, no imaging): the command line imports it at start.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path


def staging_base() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "graduate-photo-station" / "export"


_NAME = re.compile(r"^(\d+)-[0-9a-f]{8}$")  # <process id>-<random>


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def new_staging(zip_path: Path | None = None) -> Path:
    """A fresh private folder (0700) on the station's own disk for the plain files behind one encrypted
    delivery; its name carries this process's id, so a later start can remove it if the process was killed."""
    import secrets

    base = staging_base()
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o700)
    path = base / f"{os.getpid()}-{secrets.token_hex(4)}"
    path.mkdir(mode=0o700)
    return path


def default_staging(zip_path: Path) -> Path:  # the old name
    return new_staging(zip_path)


def cleanup_stale_staging() -> list[Path]:
    """Remove staging folders whose process is gone (killed, power cut) and any an older version left.

    Called when the station starts a command and before every encrypted export:
    a plain copy of a delivery never outlives the export that made it.
    """
    base = staging_base()
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for path in entries:
        m = _NAME.match(path.name)
        if m and (int(m.group(1)) == os.getpid() or _alive(int(m.group(1)))):
            continue  # an export running now
        # a killed export's folder, or an older version's "<name>-<hash>" folder of plain photos
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def remove_staging(path: Path) -> None:
    """Delete a staging folder of ours (plain photos of students) once its archive is written or failed."""
    path = Path(path)
    if path.resolve().parent != staging_base().resolve():  # only ever our own cache folders
        return
    shutil.rmtree(path, ignore_errors=True)


