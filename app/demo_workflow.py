"""The demo's workflow: the shot workflow, plus the virtual camera's next portrait after every photo.

``station demo`` (``ui/window_cmd.py``) and ``bench/bench_demo.py`` open the window
with this workflow, so the demo's rotation of sample portraits
(:meth:`app.demo_portraits.DemoPortraits.on_event`) hears the camera's events on the
camera thread before the window does, without a demo hook in the window's
camera bridge or controller. Demo only: the station's own code never uses it.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from app.demo_portraits import DemoPortraits
from app.workflow import Workflow

log = logging.getLogger(__name__)


class DemoWorkflow(Workflow):
    """``DemoWorkflow(db, portraits=DemoPortraits(...), ...)``: a :class:`Workflow` whose camera serves
    the next demo portrait after each photo."""

    def __init__(self, db, *args: Any, portraits: DemoPortraits, **kwargs: Any):
        super().__init__(db, *args, **kwargs)
        self.portraits = portraits

    def open_camera(self, on_event: Callable, backend: str | dict | None = None, **options: Any) -> Any:
        portraits = self.portraits

        def sink(ev: Any) -> None:
            try:
                portraits.on_event(ev)  # on the camera thread, before the window hears of the photo
            except Exception:  # the rotation must never cost an event
                log.exception("demo portraits: next portrait")
            on_event(ev)

        return super().open_camera(sink, backend, **options)
