"""The screenshots of the windows a demo run does not reach by itself (``station demo --auto N --screenshots``).

After the students, on the demo's own folder: three photos are put into the
capture folder the way a station killed between saving and recording leaves
them (one under the name the workflow gives a student's photo, one under a
camera's own name, one whose file is then deleted), the start-up check is
run again, and the list of photos waiting for a student is shot; then the
reconciliation of the day is written from the 报表 menu and its window shot.
Demo only: the files are copies of the run's own sample portraits.
"""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

WAIT_S = 20.0


class DemoScreens(QObject):
    finished = Signal(object)  # None, or what went wrong

    def __init__(self, window, folder: Path, parent=None):
        super().__init__(parent)
        self.win, self.folder = window, Path(folder)
        self.ctl = window.ctl

    def start(self) -> None:
        self.ctl.runner.submit(self._stage, on_done=self._show_waiting, on_error=self._fail)

    # --- the photos waiting for a student -----------------------------------------------------

    def _stage(self):
        """In a worker: the files a killed station leaves, then the start-up check again."""
        wf = self.ctl.workflow
        day = wf.capture_folder / datetime.now().strftime("%Y-%m-%d")
        photos = sorted(day.glob("S*_*_01.jpg"))
        if not photos:
            raise RuntimeError("no photo of this run to copy")
        cards = [wf.search(code)[0] for code in wf.scan_codes(2)]
        named = day / f"S{wf.station_number:02d}_{cards[0].student_no}_01.jpg"
        shutil.copyfile(photos[0], named)
        shutil.copyfile(photos[min(1, len(photos) - 1)], day / "DSC_0042.JPG")
        lost = day / f"S{wf.station_number:02d}_{cards[1].student_no}_01.jpg"
        shutil.copyfile(photos[-1], lost)
        found = wf.recover()
        lost.unlink()  # recorded, then deleted by hand: the next check lists it as missing
        return found, wf.recover(), wf.verify_files()  # the passes of a start-up, as the window runs them

    def _show_waiting(self, results) -> None:
        for result in results:
            self.ctl.recovery.emit(result)
        self.ctl.waiting_count.emit(results[-1].waiting)
        panel = self.win.menus.open_waiting()
        panel.resize(1100, 720)

        def ready() -> bool:
            items = [panel.list.item(i) for i in range(panel.list.count())]
            usable = [w for w in panel.items if w.file_ok]
            return bool(items) and len(panel._previews) >= len(usable)

        def shoot() -> None:
            row = next((i for i, w in enumerate(panel.items) if w.suggestion is not None), 0)
            panel.list.setCurrentRow(row)
            self._grab(panel, "window_recovery.png")
            self.win.grab().save(str(self.folder / "window_notice.png"))
            panel.close()
            self._show_report()

        self._when(ready, shoot)

    # --- a report -----------------------------------------------------------------------------------

    def _show_report(self) -> None:
        dlg = self.win.menus.open_report("reconcile")
        dlg.resize(760, 520)
        dlg.period.setCurrentIndex(dlg.period.findData("day"))
        self._when(lambda: dlg.out.path() is not None and "全天" in dlg.out.path().name, lambda: self._run(dlg))

    def _run(self, dlg) -> None:
        dlg.start()

        def shoot() -> None:
            self._grab(dlg, "window_report.png")
            dlg.close()
            self.finished.emit(None if dlg.result is not None else f"report: {dlg.status.text()}")

        self._when(lambda: dlg.result is not None or dlg.error is not None, shoot)

    # --- plumbing -------------------------------------------------------------------------------------

    def _grab(self, widget, name: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(self.folder / name))

    def _when(self, cond, then, started: float | None = None) -> None:
        started = started or time.monotonic()
        if cond():
            QTimer.singleShot(150, then)  # one more paint after the last change
        elif time.monotonic() - started > WAIT_S:
            self._fail(TimeoutError("the demo screenshots waited too long"))
        else:
            QTimer.singleShot(50, lambda: self._when(cond, then, started))

    def _fail(self, exc) -> None:
        self.finished.emit(f"{type(exc).__name__}: {getattr(exc, 'message', exc)}")

