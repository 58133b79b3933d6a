"""The one input field: tells a keyboard-wedge scanner from a person by key timing.

A scanner (ID card reader in keyboard mode, barcode or QR scanner) types a
whole code at a few milliseconds per key and ends with Enter; a person types
at 100 ms or more per key. On a scan the field acts at once (``scanned``);
on slow typing it searches as the person types (``query``, debounced) and
Enter submits (``submitted``). With the field empty, Space, Enter and R are
the photographer's commands (``command``) when the window says they are live.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

SCAN_KEY_MS = 30.0  # a scanner's keys come faster than this
SCAN_MIN_CHARS = 4
SEARCH_DEBOUNCE_MS = 150

_COMMAND_KEYS = {
    Qt.Key.Key_Space: "space",
    Qt.Key.Key_Return: "enter",
    Qt.Key.Key_Enter: "enter",
    Qt.Key.Key_R: "r",
}
# The photo view's keys, by the character typed: capital Z (zoom to 100 %) and C (compare two takes),
# + and - (zoom in, back to the whole photo). Lower-case z and c stay letters: a name's pinyin
# initials (zs for 张三) are typed while a photo is on screen.
_TEXT_COMMANDS = {"Z": "z", "C": "c", "+": "zoom_in", "=": "zoom_in", "-": "zoom_out"}


def looks_scanned(stamps_ms: list[float], n_chars: int) -> bool:
    """True when every character was keyed, and keyed at scanner speed.

    One slow gap is forgiven (a USB hiccup or a busy event loop delays a key);
    the rest must be under SCAN_KEY_MS.
    """
    if n_chars < SCAN_MIN_CHARS or len(stamps_ms) != n_chars:
        return False
    gaps = sorted(b - a for a, b in zip(stamps_ms, stamps_ms[1:]))
    if not gaps:
        return False
    body = gaps[:-1] if len(gaps) >= 6 else gaps
    return max(body) < SCAN_KEY_MS


class ScanLineEdit(QLineEdit):
    scanned = Signal(str)  # a whole code at scanner speed, ended by Enter
    submitted = Signal(str)  # typed text confirmed with Enter
    query = Signal(str)  # typed text, after a pause (search as you type)
    command = Signal(str)  # "space" | "enter" | "r" | "escape" | "up" | "down" | "z" | "c" | "zoom_in" | "zoom_out"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.live_commands: set[str] = set()
        self.search_enabled = True
        self._stamps: list[float] = []
        self._qt_stamps: list[int] = []
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_query)
        self.textEdited.connect(self._on_edited)
        self.setClearButtonEnabled(True)

    # --- timing ---------------------------------------------------------------

    def _key_times(self) -> list[float]:
        # The windowing system's timestamps tell when the key was pressed, even
        # if the event loop delivered it late; synthetic events carry none.
        if self._qt_stamps and all(self._qt_stamps) and len(self._qt_stamps) == len(self._stamps):
            return [float(x) for x in self._qt_stamps]
        return self._stamps

    def was_scanned(self) -> bool:
        return looks_scanned(self._key_times(), len(self.text()))

    def reset(self, text: str = "") -> None:
        self._debounce.stop()
        self._stamps.clear()
        self._qt_stamps.clear()
        self.setText(text)

    # --- keys -------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.isAutoRepeat() and key in _COMMAND_KEYS:
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            self.command.emit("escape")
            event.accept()
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not self.text():
            name = "left" if key == Qt.Key.Key_Left else "right"
            if name in self.live_commands:  # browse the student's shots (the field is empty: no caret to move)
                self.command.emit(name)
                event.accept()
                return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.command.emit("up" if key == Qt.Key.Key_Up else "down")
            event.accept()
            return
        empty = not self.text()
        name = _COMMAND_KEYS.get(key) or _TEXT_COMMANDS.get(event.text())
        if empty and name in _TEXT_COMMANDS.values() and name in self.live_commands:
            self.command.emit(name)
            event.accept()
            return
        if empty and name and name in self.live_commands and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.command.emit(name)
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = self.text().strip()
            scanned = self.was_scanned()
            self._debounce.stop()
            event.accept()
            if not text:
                if "enter" in self.live_commands:
                    self.command.emit("enter")
                return
            (self.scanned if scanned else self.submitted).emit(text)
            return
        if event.text() and event.text().isprintable():
            if empty:
                self._stamps.clear()
                self._qt_stamps.clear()
            self._stamps.append(time.perf_counter() * 1000.0)
            self._qt_stamps.append(int(event.timestamp()))
        super().keyPressEvent(event)

    def event(self, ev: QEvent) -> bool:
        # Tab would move the focus away from the one field that must keep it.
        if ev.type() == QEvent.Type.KeyPress and ev.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            ev.accept()
            return True
        return super().event(ev)

    def _on_edited(self, text: str) -> None:
        if not text:
            self._stamps.clear()
            self._qt_stamps.clear()
            self._debounce.stop()
            self.query.emit("")
            return
        if self.search_enabled:
            self._debounce.start()

    def _emit_query(self) -> None:
        if self.text().strip() and not self.was_scanned():
            self.query.emit(self.text().strip())
