"""The PySide6 windows (the only package that imports Qt).

PySide6 6.12.0 returns ``True`` from ``SignalInstance.emit()`` without taking
a reference to it, so every signal emitted from Python lowers the reference
count of ``True`` by one. On CPython 3.12+ ``True`` is immortal and nothing
happens; on 3.10/3.11 the count reaches zero after a few hundred emits and
the interpreter aborts ("bool_dealloc: deallocating True or False"). Until a
fixed PySide6 is the one installed, importing ``ui`` checks for the fault
once and, where it is present, gives ``True`` and ``False`` a reference count
no emit can exhaust — what CPython 3.12 does for them by design.
"""

from __future__ import annotations

import sys


def _emit_leaks_true() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    return sys.getrefcount(True) < before


def _make_bools_immortal() -> bool:
    import ctypes

    for obj in (True, False):
        cell = ctypes.c_ssize_t.from_address(id(obj))
        # Only where ob_refcnt is the object's first field (not a trace-refs debug build).
        if abs(cell.value - (sys.getrefcount(obj) - 1)) > 2:
            return False
    for obj in (True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 48
    return True


BOOL_REFCOUNT_GUARD = False
if sys.version_info < (3, 12) and sys.implementation.name == "cpython":
    try:
        if _emit_leaks_true():
            BOOL_REFCOUNT_GUARD = _make_bools_immortal()
    except ImportError:  # PySide6 missing: the commands say so when they need it
        pass
