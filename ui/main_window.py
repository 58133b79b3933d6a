"""The photographer's window: scan, shoot, verdict on the picture, next student.

It shows and forwards. Keys go to the one input field (which always has the
focus); what they mean depends on the state below. Every action goes to the
:class:`ui.controller.StationController`, which runs it in a worker; answers
come back as signals and move the state on.

The states are the shot sequence's (:mod:`app.shot_sequence`): every key
and every photo is an event sent to it through the controller, and the window
draws the :class:`app.shot_sequence.View` that comes back; it keeps no state
machine and no accept rule of its own. Its one state of its own is
``starting`` (camera and checks not ready yet).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
)

from app.first_run import roster_size
from app.window_services import current_school
from app.workflow import DecisionPending, Identified, ShotInfo, StudentCard
from ui.controller import StationController
from ui.main_dialogs import WindowDialogs
from ui.main_input import PHOTO_KEYS, WindowInput
from ui.main_layout import build_main_window
from ui.main_menus import StationMenus
from ui.photo_view import Overlay
from ui.verdict import overlay_for

LIVE_KEYS = {
    "starting": set(),
    "ready": set(),
    "student": {"space"},
    "confirm": {"enter", "space"},
    "shooting": {"space"},
    "checking": {"space", "r"},
    "verdict": {"space", "enter", "r"},
    "reason": {"enter"},
    "viewing": set(),
}
for _state in ("checking", "verdict", "viewing"):
    LIVE_KEYS[_state] = LIVE_KEYS[_state] | PHOTO_KEYS
for _state in ("student", "confirm"):
    LIVE_KEYS[_state] = LIVE_KEYS[_state] | {"left", "right"}
MESSAGE_MS = 6000


class MainWindow(WindowInput, WindowDialogs, QMainWindow):
    state_changed = Signal(str)

    def __init__(self, controller: StationController, parent=None):
        super().__init__(parent)
        self.ctl = controller
        self.state = "starting"
        self.card: StudentCard | None = None
        self.shot: ShotInfo | None = None  # the shot on screen awaiting a decision
        self.viewed: ShotInfo | None = None  # an earlier shot looked at from the strip
        self._reason_for: int | None = None  # the photo a reason is being typed for
        self.view = None  # the shot sequence's last View, as drawn
        self._drawn = 0  # its version
        self.pending_cards: list[StudentCard] = []  # 已拍未确认, listed at start-up
        self.ask_on_close = True  # closing with a student pending asks first
        self._latest_path: str | None = None
        self._roster_size: int | None = None  # None: not known yet
        build_main_window(self)  # the panels (ui/main_layout.py)
        self._connect()
        self.menus = StationMenus(self)
        self.retranslate()
        self._set_state("starting")
        self.photo.set_message(self.tr("正在连接相机、加载照片检查…"))
        self.resize(1440, 900)
        self.ctl.run("roster_size", roster_size, self.ctl.workflow.db)

    def _connect(self) -> None:
        c, i = self.ctl, self.input
        c.site.changed.connect(self._on_site)
        i.scanned.connect(self._on_scanned)
        i.submitted.connect(self._on_submitted)
        i.query.connect(self._on_query)
        i.command.connect(self._on_command)
        self.candidates.picked.connect(self._choose)
        self.recent.picked.connect(self._choose)
        self.card_view.report_issue.connect(self.report_issue)
        self.strip.shot_clicked.connect(self._view_shot)
        self.photo.resized.connect(self._on_photo_resized)
        b = self.buttons
        b["shoot"].clicked.connect(lambda: self._on_command("space"))
        b["accept"].clicked.connect(lambda: self._on_command("enter"))
        b["retake"].clicked.connect(lambda: self._on_command("r"))
        b["select"].clicked.connect(self.select_viewed)
        b["unlisted"].clicked.connect(self.add_unlisted)
        b["settings"].clicked.connect(self.open_settings)
        for seq, fn in (("F2", self.add_unlisted), ("F3", self.report_issue), ("F4", self.select_viewed)):
            QShortcut(QKeySequence(seq), self, activated=fn)
        c.view.connect(self._on_view)
        c.pending.connect(self._on_pending)
        c.candidates.connect(self._on_candidates)
        c.photo_arrived.connect(self._on_photo)
        c.shots.connect(self._on_shots)
        c.image.connect(self._on_image)
        c.thumbnail.connect(self.strip.set_thumbnail)
        c.throughput.connect(self.throughput.show_data)
        c.recent.connect(self.recent.show_items)
        c.camera_status.connect(self._on_camera_status)
        c.camera_problem.connect(self._on_camera_problem)
        c.camera_ok.connect(self.banner.hide)
        c.qc_state.connect(self._on_qc_state)
        c.failed.connect(self._on_failed)
        c.done.connect(self._on_done)
        c.bridge.preview.connect(self._on_preview)
        QApplication.instance().focusChanged.connect(self._keep_focus)

    def refresh_title(self, *_args) -> None:
        """The title names the school being shot (a database can hold several; see app.schools)."""
        try:
            school = current_school(self.ctl.workflow.db)
        except Exception:  # noqa: BLE001 - a title is no reason to fail; the card still shows the school
            school = ""
        self.setWindowTitle(self.tr("毕业生图像采集 — 拍摄") + (f" · {school}" if school else ""))

    def retranslate(self) -> None:
        self.refresh_title()
        self.input.setPlaceholderText(self._placeholder())
        names = {
            "shoot": self.tr("拍摄 (空格)"),
            "accept": self.tr("接受 (回车)"),
            "retake": self.tr("重拍 (R)"),
            "select": self.tr("选用此张 (F4)"),
            "unlisted": self.tr("名单外学生 (F2)"),
            "settings": self.tr("设置 (Ctrl+,)"),
        }
        for key, text in names.items():
            self.buttons[key].setText(text)
        self.recent_label.setText(self.tr("最近完成 (点击可重新打开、改选照片)"))
        self.card_view.retranslate()
        self.throughput.retranslate()
        self.menus.retranslate()
        if self.shot is not None and self.state in ("verdict", "reason", "checking"):
            self._show_verdict(self.shot)

    def quick_reasons(self) -> list[str]:
        return [self.tr("学生坚持使用此照片"), self.tr("医学或宗教原因"), self.tr("检查误判, 人工核对合格")]

    # --- state --------------------------------------------------------------------

    def _placeholder(self) -> str:
        return {
            "reason": self.tr("输入原因后回车 (或 1/2/3)"),
            "confirm": self.tr("回车确认再拍; 或扫描下一位"),
        }.get(self.state, self.tr("扫描证件, 或输入学号 / 姓名"))

    def _set_state(self, state: str) -> None:
        if state == "ready" and not self.photo.has_image:
            self.photo.set_message(self.tr("请扫描身份证或学生证") if self._roster_size != 0 else self.no_roster_text(),
                                   None if self._roster_size != 0 else "warn")
        self.state = state
        self.input.live_commands = set(LIVE_KEYS[state])
        self.input.search_enabled = state != "reason"
        self.input.setPlaceholderText(self._placeholder())
        b = self.buttons
        b["shoot"].setEnabled(state in ("student", "confirm", "checking", "verdict"))
        b["accept"].setEnabled(state in ("verdict", "confirm"))
        b["retake"].setEnabled(state in ("checking", "verdict"))
        b["select"].setEnabled(state == "viewing")
        self.reasons.setText("\n".join(f"{n}. {r}" for n, r in enumerate(self.quick_reasons(), 1))
                             if state == "reason" else "")
        if state == "reason":
            self.candidates.hide()
        self.ctl.set_live_view(state in ("student", "confirm"))
        self.state_changed.emit(state)

    def say(self, text: str, level: str = "info") -> None:
        color = {"info": "#1d3b66", "ok": "#15803d", "warn": "#b45309", "error": "#b91c1c"}[level]
        self.message.setStyleSheet(f"font-size:17px;color:{color};")
        self.message.setText(text)
        self._msg_timer.start(MESSAGE_MS)

    def _keep_focus(self, _old, new) -> None:
        if QApplication.activeModalWidget() is None and new is not self.input and self.isActiveWindow():
            QTimer.singleShot(0, self.input.setFocus)

    def _on_photo_resized(self, size) -> None:
        self.ctl.display_size = (size.width(), size.height())
        self.ctl.bridge.preview_size = (size.width(), size.height())

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self.input.setFocus()

    def changeEvent(self, ev) -> None:
        if ev.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(ev)

    def closeEvent(self, ev) -> None:
        waiting = self.ctl.sequence.unfinished() if self.ask_on_close else None
        if waiting is not None:
            answer = QMessageBox.question(
                self, self.tr("照片尚未确认"),
                self.tr("{name} 已拍照片但尚未接受 (已拍未确认)。现在退出, 下次启动时会列出, 扫描后可继续确认。确定退出?")
                .format(name=waiting.name))
            if answer != QMessageBox.StandardButton.Yes:
                ev.ignore()
                return
        running = self.menus.running_jobs()
        if running:
            answer = QMessageBox.question(
                self, self.tr("仍在进行"),
                self.tr("{jobs} 仍在进行。现在退出会等它做完当前这一步; 照片交付可以之后再次导出补齐。确定退出?")
                .format(jobs=", ".join(running)))
            if answer != QMessageBox.StandardButton.Yes:
                ev.ignore()
                return
        self.menus.close_all()
        self.ctl.stop()
        super().closeEvent(ev)

    # --- drawing the sequence's state -------------------------------------------------------

    def _on_view(self, v) -> None:
        """Draw what the shot sequence says (views of events queued earlier never undo a later one)."""
        if v.version <= self._drawn:
            return
        self._drawn = v.version
        before = self.card
        self.view = v
        if v.identified is not None:
            self._draw_identified(v.identified)
        if v.accepted is not None and v.student is None:
            name = v.accepted.student.name
            self.photo.set_overlay(Overlay(v.accepted.shot.qc_verdict, self.tr("已接受: {name}").format(name=name),
                                           self.tr("请扫描下一位")))
        self.card, self.shot, self.viewed, self._reason_for = v.student, v.shot, v.viewed, v.reason_for
        if v.student is None:
            if before is not None or v.outcome:
                self.card_view.show_card(None)
                self.strip.forget()
                self.strip.show_shots([])
                if v.accepted is None:
                    self.photo.clear()
                    self.photo.set_message(self.tr("请扫描下一位"), None)
        else:
            self.card_view.show_card(v.student, v.phase == "confirm")
        self._draw_picture(v)
        if v.message:
            self.say(v.message, v.level)
        if not (self.state == "starting" and v.phase == "ready"):
            self._set_state(v.phase)

    def _draw_identified(self, r: Identified) -> None:
        if r.accepted_previous is not None:
            self.say(self.tr("上一位的合格照片已自动接受"), "ok")
        if r.kind == "found":
            self.strip.forget()
            self.strip.show_shots([])
            self.photo.clear()
            self._latest_path = None
            if r.pending is not None and r.pending.assigned_now:
                self.say(self.tr("相机按钮拍摄的照片已归属此学生"), "info")
            elif r.pending is not None:
                self.say(self.tr("已拍未确认: 上次的照片等待确认 (回车接受 / R 重拍)"), "info")
            if r.card.has_error:
                self.say(self.tr("注意: 此学生名单信息有误, 可按 F3 报告正确信息"), "warn")
        elif r.kind == "ambiguous":
            self.candidates.show_cards(r.candidates)
            self.say(self.tr("找到 {n} 人: 用 ↑↓ 选择, 回车确认").format(n=len(r.candidates)), "warn")
        else:
            self.candidates.show_cards(r.candidates)
            if self._roster_size == 0:  # nothing to find: F2 would only hide that no roster is loaded
                self.say(self.no_roster_text(), "error")
            else:
                self.say(self.tr("名单中没有 {code}: 继续输入以搜索, 或按 F2 登记名单外学生").format(code=r.code), "error")
            self.ctl.run("roster_size", roster_size, self.ctl.workflow.db)  # an import may have changed it
            self._unknown_code = r.code

    def _draw_picture(self, v) -> None:
        phase = v.phase
        if phase in ("student", "confirm") and v.event != "photo":
            if v.outcome == "retake":
                self.photo.set_overlay(None)
                self.photo.set_message(self.tr("重拍: 按空格拍摄"), None)
            elif v.identified is not None or v.event in ("esc", "enter", "camera", "shutter"):
                if v.event == "esc" or v.identified is not None:
                    self.photo.clear()
                    self._latest_path = None
                if phase == "confirm":
                    self.photo.set_message(self.tr("已拍摄过: 回车确认再拍"), "warn")
                else:
                    self.photo.set_message(self.tr("按空格拍摄 (或相机快门)"), None)
        elif phase == "shooting":
            self.photo.set_message(self.tr("正在拍摄…"))
        elif phase == "checking" and v.shot is not None:
            self._show_image(v.shot.path)
            self.photo.set_overlay(Overlay(None, self.tr("正在检查…"), self.tr("R 重拍 · 空格 再拍一张")))
            self.photo.set_message("")
        elif phase == "verdict" and v.shot is not None:
            self._show_image(v.shot.path)
            self.photo.set_message("")
            self._show_verdict(v.shot)
        elif phase == "viewing" and v.viewed is not None:
            self._show_image(v.viewed.path)
            ov = overlay_for(v.viewed)
            ov.hint = (self.tr("F4 选用此张 · Esc 返回") if not v.viewed.selected
                       else self.tr("当前选用的照片 · Esc 返回"))
            self.photo.set_overlay(ov)
        elif phase == "reason":
            self.say(self.tr("照片未通过检查: 接受需要填写原因"), "warn")
        if v.recorded is not None and v.recorded.student_id is None and phase == "ready":
            self.photo.set_overlay(Overlay(None, self.tr("未归属的照片")))

    def _show_image(self, path: str) -> None:
        if self._latest_path != path:
            self._latest_path = path
            self.ctl.load_image(path)

    def _show_verdict(self, shot: ShotInfo) -> None:
        self.photo.set_overlay(overlay_for(shot))
        ms = f"{shot.qc_ms:.0f} ms" if shot.qc_ms else ""
        self.photo.set_corner(ms)

    def _on_photo(self, photo) -> None:
        if self.state in ("shooting", "checking", "verdict", "student"):
            self._latest_path = str(photo.path)

    def _on_image(self, path: str, image: QImage) -> None:
        if path == self._latest_path:
            self.photo.set_image(image, path)  # the path: zoom decodes the file at full resolution

    def _on_pending(self, cards: list) -> None:
        """Students photographed with nothing accepted (已拍未确认): offered to finish, one click each."""
        self.pending_cards = list(cards)
        self.menus.show_pending(self.pending_cards)

    def _on_shots(self, student_id: int, shots: list) -> None:
        if self.card is None or self.card.id != student_id:
            return
        self.strip.show_shots(shots)
        if len(shots) != self.card.shots:  # the card says how many photos there are now
            self.card = dataclasses.replace(self.card, shots=len(shots))
            self.card_view.show_card(self.card, self.state == "confirm")
        if shots and self.state in ("student", "confirm") and not self.photo.has_image:
            # No live view (or not yet): this student's own last photo, never the previous student's.
            last = next((x for x in shots if x.selected), shots[-1])
            self._show_image(last.path)
            ov = overlay_for(last)
            # the card's time (when the photo was chosen), so header and card agree
            when = self.card.photographed_at if last.selected and self.card.photographed_at else last.taken_at
            ov.title = self.tr("上次的照片 ({when})").format(when=f"{when:%H:%M}")
            ov.hint = ""
            self.photo.set_overlay(ov)
            self.photo.set_message("")
        for shot in shots:
            if not self.strip.has_thumbnail(shot.id):
                self.ctl.load_thumbnail(shot.id, shot.path)

    # --- camera and checks --------------------------------------------------------------

    def _on_preview(self, image: QImage) -> None:
        if self.state in ("student", "confirm"):
            self._latest_path = None
            self.photo.set_live(image)  # with the delivery frame and the eye line

    def _on_camera_status(self, st) -> None:
        parts = [st.model or st.backend]
        if st.battery:
            parts.append(self.tr("电量 {b}").format(b=st.battery))
        if st.free_mb is not None:
            parts.append(self.tr("存储卡剩余 {mb:.0f} MB").format(mb=st.free_mb))
        ok = self.tr("相机已连接") if st.connected else self.tr("相机未连接")
        self.camera_label.setText(ok + ": " + ", ".join(p for p in parts if p))
        if st.connected:
            self.banner.hide()
            if self.state == "starting":
                self._set_state("ready")

    def _on_site(self, text: str, online: bool) -> None:
        """Site mode: when the other stations last heard of this one (offline: shooting goes on)."""
        self.site_label.setVisible(bool(text))
        self.site_label.setText(text)
        self.site_label.setStyleSheet("" if online else "color: #b45309; font-weight: bold;")

    def _on_camera_problem(self, message: str, code: str) -> None:
        # The backend's own words say what to do (they name the automounter, the cable, a sleeping
        # camera) in the station's language; these are for a backend that gave none.
        text = message or {
            "usb_claimed": self.tr("相机被系统占用: 请关闭文件管理器或运行 gio mount -s gphoto2 后重试"),
            "no_camera": self.tr("未找到相机: 请连接USB线并打开相机电源"),
        }.get(code, self.tr("相机已断开: 请检查USB线和电源, 重新连接后自动恢复"))
        self.banner.show_text(text, "error")
        self.camera_label.setText(self.tr("相机未连接"))
        if self.state == "shooting":
            self.ctl.send("camera_failed", "")
        elif self.state == "starting":
            self._set_state("ready")

    def _on_qc_state(self, state: str, detail: str) -> None:
        text = {"loading": self.tr("照片检查: 正在加载模型…"),
                "ready": self.tr("照片检查: 就绪") + (f" ({detail})" if detail else ""),
                "failed": self.tr("照片检查不可用: {d}").format(d=detail)}[state]
        self.qc_label.setText(text)
        if state == "failed":
            self.banner.show_text(text, "warn")

    def _on_failed(self, action: str, exc) -> None:
        if action == "camera":  # a CameraEvent of kind "error" (the sequence hears of it too)
            self.say(exc.error or self.tr("相机错误"), "error")
            return
        if action in ("throughput", "waiting", "assign", "discard"):
            return  # the throughput panel keeps its last figures; the list of waiting photos says it itself
        if action == "recovery":
            self.notice.show_text(self.tr("启动检查照片文件夹失败: {e}").format(
                e=getattr(exc, "message", None) or exc), "warn")
            return
        msg = getattr(exc, "message", None) or str(exc)
        self.say(msg, "warn" if isinstance(exc, DecisionPending) else "error")

    def no_roster_text(self) -> str:
        return self.tr("还没有导入名单: 菜单 名单 → 导入名单 (或 station roster import 名单.xlsx; 演示: station demo)")

    def _clear_photo(self) -> None:
        self._latest_path = None
        self.photo.clear()
        self.photo.set_corner("")
        self.photo.set_message(self.tr("请扫描身份证或学生证") if self._roster_size != 0 else self.no_roster_text(),
                               None if self._roster_size != 0 else "warn")

    def _on_roster_size(self, n: int) -> None:
        self._roster_size = n
        if n == 0:
            self.say(self.no_roster_text(), "error")
            if not self.photo.has_image:
                self.photo.set_message(self.no_roster_text(), "warn")

    def _on_done(self, action: str, result) -> None:
        if action == "roster_size":
            self._on_roster_size(result)
        elif action == "issue":
            self.say(self.tr("已记录, 将列入勘误表"), "ok")
        elif action == "settings":
            self._settings_saved(result)
        elif action == "settings_loaded":
            self._edit_settings(result)
