"""A guard against PySide6 6.12.0's lost references to None/True/False (installed by the launchers).

PySide6 6.12.0 returns ``None`` from every wrapped C++ method that returns
``void`` (``widget.update()``, ``line_edit.setText()``, a ``QRunnable``'s
``run``...) and ``True`` from ``SignalInstance.emit()`` without taking a
reference to them, so each such call lowers the reference count of ``None``
or ``True`` by one. On CPython 3.12+ these objects are immortal and nothing
happens; on 3.10/3.11 the count reaches zero after some thousands of calls
(a few minutes of a busy window) and the interpreter aborts with
"none_dealloc: deallocating None" or "bool_dealloc: deallocating True or
False". PySide6 6.11.3 does not have the fault. Until a fixed PySide6 is the
one installed, :func:`install` (called by ``ui.qt_app.create_application``,
which every window's start goes through, before any window is made) checks
for it once (unless the installed PySide6 is older than 6.12) and, where it is
present, gives ``None``, ``True`` and ``False`` a reference count no call can
exhaust — what CPython 3.12 does for them by design. (It ran at ``import ui``
until issue 17: nothing happens at import any more.)
"""

from __future__ import annotations

import ctypes
import sys
from importlib.metadata import PackageNotFoundError, version

from PySide6.QtCore import QObject, Signal


def leaks() -> bool:
    """True when void calls or signal emits lose a reference to None or True."""
    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(8):
        probe.setObjectName("probe")
        probe.ping.emit()
    return sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before


def _make_immortal(objects: tuple) -> bool:
    for obj in objects:
        # Only where ob_refcnt is the object's first field (not a trace-refs debug build).
        if abs(ctypes.c_ssize_t.from_address(id(obj)).value - (sys.getrefcount(obj) - 1)) > 2:
            return False
    for obj in objects:
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 48
    return True


def _maybe_faulty() -> bool:
    """False when the installed PySide6 is one known to keep its references (before 6.12).
    Any other or unknown version is probed."""
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            parts = version(dist).split(".")
            return (int(parts[0]), int(parts[1])) >= (6, 12)
        except PackageNotFoundError:
            continue
        except (ValueError, IndexError):
            return True
    return True


_installed: bool | None = None  # None: not checked yet


def install() -> bool:
    """Check once for the fault and, where present, guard against it. True when the guard is on."""
    global _installed
    if _installed is None:
        _installed = False
        if sys.version_info < (3, 12) and sys.implementation.name == "cpython" and _maybe_faulty() and leaks():
            _installed = _make_immortal((None, True, False))
    return _installed
