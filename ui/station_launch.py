"""Opening the photographer's window (``station run``, ``station demo``): the one launcher.

Builds the workflow and the controller, shows the window, asks for the first PIN on
a real station, and with ``auto`` drives the window through N students
(``ui/autopilot.py``) and prints the JSON summary line. The QApplication's set-up
is ``ui/qt_app.py``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer

from app.window_services import SettingsService
from app.workflow import Workflow
from ui.autopilot import AutoPilot
from ui.controller import StationController
from ui.main_window import MainWindow
from ui.pin_dialog import ask_first_pin
from ui.qt_app import create_application, qt_environment


def _freeze_heap_when_ready(state: str, _detail: str = "") -> None:
    """Once the models are loaded, keep the start-up heap out of the garbage collector's full passes.

    Python's full (generation 2) collection walks every tracked object; with
    mediapipe, SQLAlchemy and Qt loaded that took 80–260 ms here, holding the
    GIL, so the window froze that long at random moments. Everything alive at
    this point lives as long as the window: freezing it leaves the collector
    only the objects made since (gc.freeze, Python 3.7+).
    """
    if state in ("ready", "failed"):
        gc.collect()
        gc.freeze()


def run_window(
    db,
    *,
    capture_folder: str | Path | None = None,
    camera=None,
    camera_options: dict | None = None,
    auto: int | None = None,
    screenshots: str | Path | None = None,
    result_out: dict | None = None,
    on_student=None,
    ask_pin: bool = True,
    workflow_class: type[Workflow] = Workflow,
    workflow_options: dict | None = None,
) -> int:
    """Open the photographer's window on ``db``; with ``auto``, drive it through that many students.

    Returns the exit code. With ``auto`` the JSON summary line is printed and,
    when ``result_out`` is given, the full result (RSS trace...) is put there.
    ``workflow_class``/``workflow_options``: the demo's workflow (``app.demo_workflow``).
    """
    values = SettingsService(db).all()
    lang = os.environ.get("STATION_LANG") or str(values.get("language", "zh"))
    with qt_environment():
        app = create_application(lang)
        # Worker threads running Python hand the GIL back every 5 ms by default:
        # make it 1 ms so the event loop waits less behind them.
        sys.setswitchinterval(0.001)
        wf = workflow_class(db, capture_folder=capture_folder, **(workflow_options or {}))
        options = {"folder": wf.capture_folder, **(camera_options or {})}
        ctl = StationController(wf, camera=camera if camera is not None else values, camera_options=options)
        win = MainWindow(ctl)
        ctl.qc_state.connect(_freeze_heap_when_ready)
        if auto:
            win.show()  # a fixed size: the benchmark and its screenshots compare run to run
        else:
            win.showMaximized()
        ctl.start()
        if ask_pin and not auto:  # a real station's first start: the supervisor sets a PIN (app/roles.py)
            QTimer.singleShot(0, lambda: ask_first_pin(win, db))
        box: dict = {}
        if auto:
            pilot = AutoPilot(win, auto, screenshots=Path(screenshots) if screenshots else None,
                              on_student=on_student)

            def finished(result) -> None:
                box["result"] = result
                win.close()
                app.quit()

            pilot.finished.connect(finished)
            QTimer.singleShot(0, pilot.start)
        try:
            code = app.exec()
        finally:
            ctl.stop()
        if not auto:
            return int(code)
        result = box.get("result")
        if result is None:
            print("the window closed before the run finished", file=sys.stderr)
            return 1
        if result_out is not None:
            result_out["result"] = result
        print(json.dumps(result.summary(), ensure_ascii=False), flush=True)
        if result.error:
            print(result.error, file=sys.stderr)
            return 1
        return 0
