"""``station demo --auto N``: the real window driven through N students, and a stall probe.

The pilot types each student's ID number into the input field at scanner
speed, presses Space, waits for the verdict, then presses Enter (a failing
photo is accepted with one of the quick reasons; ``retake_failing`` retakes
it once first), exactly as a photographer would, through the same key
handling: every key becomes an event of the shot sequence
(:mod:`app.shot_sequence`), whose view says whether Enter needs a reason. It measures the software's
own time per student, from the first key of the scan to the next-student-ready
state, while a timer probe measures the longest time the event loop did not run.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtTest import QTest

from ui.demo_screens import DemoScreens
from ui.main_window import MainWindow

STALL_PROBE_MS = 5
WATCHDOG_S = 20.0
# In a run of at least this many students, the screenshots of a student, a pass and a fail wait for
# the fourth student (the throughput panel has a rate by then) and the fail for a photo with several reasons.
SCREENSHOT_RUN = 8


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


class StallProbe(QObject):
    """A precise timer every few ms: any late tick is time the event loop was blocked."""

    def __init__(self, interval_ms: int = STALL_PROBE_MS, parent=None):
        super().__init__(parent)
        self.interval = interval_ms
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.max_stall_ms = 0.0
        self.stalls: list[float] = []
        # For each late tick: (late ms, CPU ms of this thread, CPU ms of the whole process, perf_counter)
        # over the gap.
        # Little CPU anywhere means the machine ran other programs; the UI thread's own CPU means it worked.
        self.details: list[tuple[float, float, float, float]] = []
        self._last = 0.0
        self._cpu = (0.0, 0.0)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._cpu = (time.thread_time(), time.process_time())
        self.max_stall_ms = 0.0
        self.stalls.clear()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def skip(self) -> None:
        """Forget the time since the last tick (the pilot's own screenshot is not a stall)."""
        self._last = time.perf_counter()
        self._cpu = (time.thread_time(), time.process_time())

    def _tick(self) -> None:
        now = time.perf_counter()
        cpu = (time.thread_time(), time.process_time())
        late = (now - self._last) * 1000.0 - self.interval
        self._last = now
        if late > self.max_stall_ms:
            self.max_stall_ms = late
        if late > 20:
            self.stalls.append(late)
            self.details.append((late, (cpu[0] - self._cpu[0]) * 1000.0, (cpu[1] - self._cpu[1]) * 1000.0, now))
        self._cpu = cpu


@dataclass
class AutoResult:
    students: int
    accepted: int = 0
    per_student_ms: list[float] = field(default_factory=list)
    max_ui_stall_ms: float = 0.0
    rss_mb: float = 0.0
    rss_trace: list[tuple[int, float]] = field(default_factory=list)
    retakes: int = 0
    with_reason: int = 0
    stalls: list[float] = field(default_factory=list)  # every late tick over 20 ms
    stall_details: list[tuple[float, float, float, float]] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)  # perf_counter at each student's scan
    phases: list[dict[str, float]] = field(default_factory=list)  # ms from the scan to each state
    error: str | None = None

    def summary(self) -> dict:
        ms = sorted(self.per_student_ms)

        def pct(q: float) -> float | None:
            if not ms:
                return None
            return round(ms[min(len(ms) - 1, int(round(q * (len(ms) - 1))))], 1)

        return {
            "students": self.students,
            "accepted": self.accepted,
            "per_student_ms": {"p50": round(statistics.median(ms), 1) if ms else None, "p95": pct(0.95)},
            "max_ui_stall_ms": round(self.max_ui_stall_ms, 1),
            "rss_mb": round(self.rss_mb, 1),
        }


class AutoPilot(QObject):
    finished = Signal(object)  # AutoResult

    def __init__(self, window: MainWindow, n: int, *, screenshots: Path | None = None,
                 retake_failing: bool = False, on_student=None, parent=None):
        super().__init__(parent)
        self.on_student = on_student  # called with the count after each student (the memory bench's probe)
        self.retake_failing = retake_failing
        self._phase: dict[str, float] = {}
        self.win = window
        self.n = n
        self.result = AutoResult(students=n)
        self.codes: list[str] = []
        self.probe = StallProbe(parent=self)
        self.shots_dir = screenshots
        self._taken: set[str] = set()
        self._t0: float | None = None
        self._retakes_this = 0
        self._started = False
        self._accepted = False
        self._done = False
        self._last_progress = time.monotonic()
        self._watchdog = QTimer(self)
        self._watchdog.timeout.connect(self._check_watchdog)

    # --- start ------------------------------------------------------------------

    def start(self) -> None:
        """Wait for the checks and the camera, fetch the students to call, then go."""
        ctl = self.win.ctl
        ctl.runner.submit(ctl.workflow.scan_codes, self.n * 2 + 10, on_done=self._got_codes,
                          on_error=lambda e: self._finish(f"roster: {e}"))
        ctl.accepted.connect(self._on_accepted)
        ctl.identified.connect(self._on_identified)
        self._watchdog.start(1000)

    def _got_codes(self, codes: list[str]) -> None:
        self.codes = list(codes)
        if len(self.codes) < self.n:
            self._finish(f"only {len(self.codes)} students left to photograph, {self.n} asked")
            return
        self._wait_ready()

    def _wait_ready(self) -> None:
        ctl = self.win.ctl
        if ctl.qc_ready and ctl.camera_connected and self.win.state == "ready":
            self._started = True
            self.win.state_changed.connect(self._on_state)
            self._screenshot("ready")
            self.result.rss_trace.append((0, rss_mb()))
            self.probe.start()
            QTimer.singleShot(0, self._next_student)
        else:
            if self.win.state == "starting" and ctl.camera_connected:
                self.win._set_state("ready")
            QTimer.singleShot(50, self._wait_ready)

    # --- the loop -----------------------------------------------------------------

    def _next_student(self) -> None:
        i = len(self.result.per_student_ms)
        if i >= self.n or not self.codes:
            self._finish(None)
            return
        code = self.codes.pop(0)
        self._retakes_this = 0
        self._accepted = False
        self._phase = {}
        self._t0 = time.perf_counter()
        self.result.starts.append(self._t0)
        self._last_progress = time.monotonic()
        QTest.keyClicks(self.win.input, code)
        QTest.keyClick(self.win.input, Qt.Key.Key_Return)

    def _on_accepted(self, _result) -> None:
        self._accepted = True

    def _on_identified(self, result) -> None:
        if self._started and not self._done and result.kind != "found" and self._t0 is not None:
            self._t0 = None  # a code that is unknown or matches several students: next one
            QTimer.singleShot(0, self._next_student)

    def _on_state(self, state: str) -> None:
        if self._done:
            return
        self._last_progress = time.monotonic()
        if self._t0 is not None and state not in self._phase:
            self._phase[state] = (time.perf_counter() - self._t0) * 1000.0
        QTimer.singleShot(0, lambda: self._act(state))

    def _act(self, state: str, tries: int = 0) -> None:
        if self._done or state != self.win.state:
            return  # the state moved on before this ran
        win = self.win
        # The sequence's view says whether Enter would need a reason; the pilot keeps no rule of its own.
        failing = win.view is not None and win.view.rule == "reason"
        if state == "verdict" and win.shot is not None and tries < 40:
            name = "fail" if failing else "pass"
            if self._wants(name) and not win.strip.has_thumbnail(win.shot.id):
                # the screenshot shows the shot's thumbnail too: wait for it (screenshot runs only)
                QTimer.singleShot(40, lambda: self._act(state, tries + 1))
                return
        if state == "student":
            self._screenshot("student")
            QTest.keyClick(win.input, Qt.Key.Key_Space)
        elif state == "confirm":
            QTest.keyClick(win.input, Qt.Key.Key_Return)
        elif state == "verdict" and win.shot is not None:
            if not failing:
                self._screenshot("pass")
                QTest.keyClick(win.input, Qt.Key.Key_Return)
            elif self.retake_failing and self._retakes_this < 1:
                self._screenshot("fail")
                self._retakes_this += 1
                self.result.retakes += 1
                QTest.keyClick(win.input, Qt.Key.Key_R)
            else:
                self._screenshot("fail")
                QTest.keyClick(win.input, Qt.Key.Key_Return)
        elif state == "reason":
            self.result.with_reason += 1
            QTest.keyClicks(win.input, "3")
            QTest.keyClick(win.input, Qt.Key.Key_Return)
        elif state == "ready" and self._t0 is not None and self._accepted:
            self.result.per_student_ms.append((time.perf_counter() - self._t0) * 1000.0)
            self.result.phases.append(dict(self._phase))
            self.result.accepted += 1
            done = len(self.result.per_student_ms)
            if done % 10 == 0:
                self.result.rss_trace.append((done, rss_mb()))
            if self.on_student is not None:
                self.on_student(done)
                self.probe.skip()  # the probe's own time is not the window's
            self._t0 = None
            QTimer.singleShot(0, self._next_student)

    # --- end ------------------------------------------------------------------------

    def _check_watchdog(self) -> None:
        if not self._done and time.monotonic() - self._last_progress > WATCHDOG_S:
            self._finish(f"no progress for {WATCHDOG_S:.0f} s in state {self.win.state!r}: "
                         f"{self.win.message.text() or self.win.banner.text()}")

    def _wants(self, name: str) -> bool:
        if self.shots_dir is None or name in self._taken:
            return False
        if self.n < SCREENSHOT_RUN or name == "ready":
            return True
        if len(self.result.per_student_ms) < 3:
            return False
        shot = self.win.shot
        return name != "fail" or (shot is not None and len(shot.failing()) >= 2)

    def _screenshot(self, name: str) -> None:
        if not self._wants(name):
            return
        self._taken.add(name)
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        self.win.grab().save(str(self.shots_dir / f"window_{name}.png"))
        self.probe.skip()

    def _finish(self, error: str | None) -> None:
        if self._done:
            return
        self._done = True
        self._watchdog.stop()
        self.probe.stop()
        self.result.error = error
        self.result.max_ui_stall_ms = self.probe.max_stall_ms
        self.result.stalls = list(self.probe.stalls)
        self.result.stall_details = list(self.probe.details)
        self.result.rss_mb = rss_mb()
        if self.shots_dir is not None and error is None:
            screens = DemoScreens(self.win, self.shots_dir, parent=self)

            def done(problem) -> None:
                if problem:
                    print(f"screenshots: {problem}", file=sys.stderr)
                self.finished.emit(self.result)

            screens.finished.connect(done)
            screens.start()
            return
        self.finished.emit(self.result)
