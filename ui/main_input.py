"""The photographer's window's keys: scanned codes, typed text, the command keys and the photo's own keys.

Mixed into :class:`ui.main_window.MainWindow`. A key goes to the shot sequence
through the controller (``self.ctl.send``); the candidate list and the photo
view's zoom, compare and browsing (``PHOTO_KEYS``) are the window's own. Its
strings are translated under the window's class names (PySide's ``tr`` looks
them up along the MRO).
"""

from __future__ import annotations

from ui.pin_dialog import authorize
from ui.verdict import overlay_for

# The photo view's keys (zoom to 100 %, compare two takes): live wherever a photo of this student is shown.
# ← → browse this student's shots (F4 then selects the one shown).
PHOTO_KEYS = {"z", "c", "zoom_in", "zoom_out", "left", "right"}  # Shift+Z, Shift+C, +, - (ui/scan_input.py)


class WindowInput:
    """The keys of the photographer's window (see the module's docstring)."""

    def _on_scanned(self, code: str) -> None:
        self.input.reset()
        self.candidates.hide()
        self.ctl.send("scan", code)

    def _on_submitted(self, text: str) -> None:
        if self.state == "reason":
            reasons = self.quick_reasons()
            if text.isdigit() and 1 <= int(text) <= len(reasons):
                text = reasons[int(text) - 1]
            self.input.reset()
            if not authorize(self, self.ctl.workflow.db, "override"):  # a failing photo: the supervisor decides
                return
            self.ctl.send("enter", text)
            return
        chosen = self.candidates.current_id()
        self.input.reset()
        self.candidates.hide()
        if chosen is not None:
            self.ctl.send("choose", chosen)
        else:
            self.ctl.send("typed", text)

    def _on_query(self, text: str) -> None:
        if not text:
            self.candidates.hide()
        elif self.state != "reason":
            self.ctl.search(text)

    def _on_candidates(self, query: str, cards: list) -> None:
        if query == self.input.text().strip() and self.state != "reason":
            self.candidates.show_cards(cards)
            if not cards:
                self.say(self.tr("没有找到: {q}").format(q=query), "warn")

    def _choose(self, student_id: int) -> None:
        self.input.reset()
        self.candidates.hide()
        self.ctl.send("choose", student_id)

    def _on_command(self, name: str) -> None:
        """A key: the shot sequence decides what it means; the candidate list and the photo's zoom,
        compare and browsing (PHOTO_KEYS) are the window's own."""
        if name in PHOTO_KEYS:
            self.photo_command(name)
            return
        if name == "escape" and (self.photo.zoom is not None or self.photo.comparing):
            self.photo.zoom_to(None) if not self.photo.comparing else self.photo.end_compare()
            return
        if name == "escape" and self.state == "ready" and not self.candidates.isVisible():
            self._clear_photo()  # never the previous student's photo (and its green banner) after Esc
        if name == "escape" and self.candidates.isVisible():
            self.candidates.hide()
            self.input.reset()
        elif name in ("up", "down"):
            self.candidates.move(-1 if name == "up" else 1)
        elif name == "space":
            if not self.ctl.camera_connected and self.state in ("student", "checking", "verdict"):
                self.say(self.tr("相机未连接, 无法拍摄"), "error")
                return
            self.ctl.send("shutter")
        elif name in ("enter", "r", "escape"):
            self.ctl.send({"escape": "esc"}.get(name, name))

    def _view_shot(self, shot_id: int) -> None:
        self.ctl.send("view", shot_id)

    def select_viewed(self) -> None:
        """F4: select the photo looked at instead of the one on screen (a failing one asks a reason)."""
        self.ctl.send("f4")


    def photo_command(self, name: str) -> None:
        if name == "z":
            self.photo.toggle_zoom()
        elif name == "zoom_in":
            self.photo.zoom_to(min(2.0, (self.photo.zoom or 0.5) * 2))
        elif name == "zoom_out":
            self.photo.zoom_to(None)
        elif name in ("left", "right"):
            self.browse_shots(-1 if name == "left" else 1)
        elif name == "c":
            self.toggle_compare()

    def toggle_compare(self) -> None:
        """``C``: the photo on screen beside this student's previous take (or the next one, for the first)."""
        if self.photo.comparing:
            self.photo.end_compare()
            return
        current = self.viewed or self.shot
        shots = list(self.strip.shots)
        if current is None or len(shots) < 2:
            self.say(self.tr("只有一张照片, 没有可对比的"), "warn")
            return
        ids = [x.id for x in shots]
        i = ids.index(current.id) if current.id in ids else len(shots) - 1
        other = shots[i - 1] if i > 0 else shots[1]
        left, right = (other, current) if other.taken_at <= current.taken_at else (current, other)

        def pane(shot):
            ov = overlay_for(shot)
            ov.title = f"{shot.taken_at:%H:%M:%S} {ov.title}"
            ov.hint = self.tr("当前这张") if shot.id == current.id else self.tr("另一张")
            return shot.path, ov

        self.photo.show_compare(pane(left), pane(right))

    def browse_shots(self, step: int) -> None:
        """← →: the previous / next shot of this student, as a click on the strip would show it."""
        shots = list(self.strip.shots)
        if not shots or self.state in ("shooting", "reason"):
            return
        current = self.viewed or self.shot
        ids = [x.id for x in shots]
        i = ids.index(current.id) if current is not None and current.id in ids else len(shots)
        j = min(max(i + step, 0), len(shots) - 1)
        if self.shot is not None and shots[j].id == self.shot.id and self.state == "viewing":
            self.ctl.send("esc")  # back on the shot being decided
        elif current is None or shots[j].id != current.id:
            self._view_shot(shots[j].id)
