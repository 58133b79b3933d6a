"""Run `station ...` with one fault injected: SIGKILL or a disk error at the n-th pass through one step.

    python tests/_export_fault_driver.py kill|fail STEP N -- station arguments...

The steps are the real functions of an encrypted export, in order: ``original``
(an original copied into staging), ``photo`` (a file written atomically: the
delivery images, the state), ``manifest``, ``proof`` (a class's proof sheet),
``pack`` (a member written into the archive), ``verify`` (reading the archive
back). The fault is injected *before* the real call, so everything before it
happened for real. Used by tests/test_delivery_privacy.py.
"""

from __future__ import annotations

import errno
import os
import signal
import sys


def main() -> int:
    mode, step, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    argv = sys.argv[5:] if sys.argv[4] == "--" else sys.argv[4:]
    import app.crypto
    import app.delivery_files
    import app.reports.manifest
    import app.reports.proof

    seen = {"n": 0}

    def fault():
        seen["n"] += 1
        if seen["n"] < n:
            return
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(errno.ENOSPC, "No space left on device (injected)")

    def wrap(module, name):
        real = getattr(module, name)

        def hooked(*a, **kw):
            fault()
            return real(*a, **kw)

        setattr(module, name, hooked)

    target = {
        "original": (app.delivery_files, "_copy_verified"),
        "photo": (app.delivery_files, "write_atomic"),
        "manifest": (app.reports.manifest, "write_manifest"),
        "proof": (app.reports.proof, "class_pdf"),
        "pack": (app.crypto, "_inner_info"),
        "verify": (app.crypto, "_member_sha256"),
    }[step]
    wrap(*target)
    from app.cli import main as station

    return station(argv)


if __name__ == "__main__":
    sys.exit(main())
