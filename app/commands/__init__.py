"""The `station` subcommands.

Each area has two modules: ``<area>_cmd.py`` builds its argparse subcommands and imports only the
standard library (so `station --help` starts without SQLAlchemy, Qt, mediapipe or OpenCV), and
``<area>_run.py`` holds the handlers with every import at the top of the file. The parser names a
handler by its dotted path with :func:`handler`; the handler module is imported when the subcommand
runs, never at registration.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable


def handler(target: str) -> Callable[[argparse.Namespace], int]:
    """A subcommand function that imports ``"package.module:function"`` when it is called."""
    module, _, name = target.partition(":")

    def run(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), name)(args)

    run.__qualname__ = run.__name__ = f"handler({target})"
    run.target = target  # type: ignore[attr-defined]  (tests/test_architecture.py resolves every one)
    return run
