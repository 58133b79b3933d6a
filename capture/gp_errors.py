"""What a libgphoto2 error means to the station, and what the operator is told.

``GpErrors`` sorts libgphoto2's error codes into what the gphoto2 backend
does about them: the camera is gone (tear down, reconnect), its storage is
full (reopen once), a file vanished from it (ask for a retake), a transfer
hiccuped (retry). The ``msg_*`` functions are the operator's words for each
case, Simplified Chinese first (``capture.i18n.t``); they name the cause and
the next step, because the photographer reads them mid-queue.
"""

from __future__ import annotations

from typing import Any

from capture.i18n import t


class CameraGone(Exception):
    """The camera stopped answering (unplugged, switched off, asleep): tear down and reconnect."""

    def __init__(self, code: int, detail: str):
        super().__init__(detail)
        self.code = code


_GONE_NAMES = (
    "GP_ERROR_IO",
    "GP_ERROR_IO_USB_FIND",
    "GP_ERROR_IO_USB_CLAIM",
    "GP_ERROR_IO_INIT",
    "GP_ERROR_IO_READ",
    "GP_ERROR_IO_WRITE",
    "GP_ERROR_IO_UPDATE",
    "GP_ERROR_IO_USB_CLEAR_HALT",
    "GP_ERROR_IO_LOCK",
    "GP_ERROR_MODEL_NOT_FOUND",
    "GP_ERROR_CAMERA_ERROR",
)


class GpErrors:
    """libgphoto2's error codes, sorted by what the backend does about them."""

    def __init__(self, gp: Any):
        self.gp = gp
        self.gone_codes = frozenset(getattr(gp, n) for n in _GONE_NAMES if hasattr(gp, n))
        # PTP StoreFull arrives as GP_ERROR_NO_MEMORY; newer libgphoto2 also has GP_ERROR_NO_SPACE
        self.full_codes = frozenset({gp.GP_ERROR_NO_MEMORY, getattr(gp, "GP_ERROR_NO_SPACE", -115)})
        self.lost_file_codes = frozenset({gp.GP_ERROR_FILE_NOT_FOUND, gp.GP_ERROR_DIRECTORY_NOT_FOUND})
        self.transient_codes = frozenset({gp.GP_ERROR_TIMEOUT, gp.GP_ERROR_CAMERA_BUSY})

    def is_gone(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) in self.gone_codes

    def is_full(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) in self.full_codes

    def is_lost_file(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) in self.lost_file_codes

    def is_transient(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) in self.transient_codes

    def is_busy(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) == self.gp.GP_ERROR_CAMERA_BUSY

    def is_timeout(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) == self.gp.GP_ERROR_TIMEOUT

    def is_unsupported(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) == self.gp.GP_ERROR_NOT_SUPPORTED

    def is_usb_claimed(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) == self.gp.GP_ERROR_IO_USB_CLAIM

    def is_not_found(self, exc: BaseException) -> bool:
        return getattr(exc, "code", None) in (self.gp.GP_ERROR_MODEL_NOT_FOUND, self.gp.GP_ERROR_IO_USB_FIND)

    def raise_if_gone(self, exc: BaseException) -> None:
        """Turn an error that means "no camera any more" into CameraGone (the caller re-raises the rest)."""
        if self.is_gone(exc):
            raise CameraGone(exc.code, str(exc)) from exc


# --- the operator's words -------------------------------------------------------------


def msg_no_camera() -> str:
    return t(
        "未找到相机：请用 USB 线连接相机并打开电源（相机设为 PTP/“PC 连接”模式）。",
        "No camera found: connect the camera by USB and switch it on (PTP / PC-connection mode).",
    )


def msg_usb_claimed() -> str:
    return t(
        "无法占用相机的 USB 接口：电脑桌面的自动挂载程序（gvfs-gphoto2）正占用相机。"
        "请在文件管理器中弹出（卸载）相机，或在终端运行：gio mount -s gphoto2 ；"
        "要以后不再发生，运行：systemctl --user mask --now gvfs-gphoto2-volume-monitor ，然后重新插拔相机。"
        "松开后本机会自动连接。",
        "Could not claim the camera's USB interface: the desktop automounter (gvfs-gphoto2) holds it. "
        "Eject the camera in the file manager or run: gio mount -s gphoto2 ; to stop it for good: "
        "systemctl --user mask --now gvfs-gphoto2-volume-monitor , then replug the camera. "
        "The station connects by itself once it is free.",
    )


def msg_disconnected() -> str:
    return t(
        "相机已断开（USB 线松动、相机关机或自动休眠）。请检查连线并打开相机；若相机已休眠，请半按快门唤醒。"
        "连接恢复后本机会自动重连。",
        "Camera disconnected (loose cable, switched off or asleep). Check the cable and switch the camera on; "
        "if it went to sleep, half-press the shutter to wake it. The station reconnects by itself.",
    )


def msg_asleep() -> str:
    return t(
        "相机没有响应，可能已休眠：请半按快门唤醒相机。",
        "The camera does not answer and may be asleep: half-press the shutter to wake it.",
    )


def msg_camera_full() -> str:
    return t(
        "相机存储已满，无法拍摄：请清理相机存储卡，或在设置中把存储位置改为“相机内存”。",
        "The camera's storage is full: clear the card, or set the capture target to camera memory.",
    )


def msg_connect_failed(detail: object) -> str:
    return t(f"无法连接相机：{detail}", f"Could not connect to the camera: {detail}")


def msg_connected(model: str) -> str:
    return t(f"相机已连接：{model}", f"Camera connected: {model}")


def msg_stopped() -> str:
    return t("相机已停止", "camera stopped")


def msg_busy_saving() -> str:
    return t("上一张照片还在保存，请稍候再拍", "the previous photo is still being saved")


def msg_camera_error(detail: object) -> str:
    return t(f"相机出错：{detail}", f"camera error: {detail}")


def msg_internal() -> str:
    return t("相机线程内部错误（已记录日志）", "internal camera error (logged)")


def msg_thread_failed(detail: object) -> str:
    return t(f"相机线程出错: {detail}", f"camera thread failed: {detail}")


def msg_no_live_view() -> str:
    return t("此相机不支持实时取景，显示最后一张照片。", "This camera has no live view; showing the last photo.")


def msg_camera_busy() -> str:
    return t("相机忙（可能正在对焦或写卡），请再按一次拍摄", "camera busy; shoot again")


def msg_capture_failed(detail: object) -> str:
    return t(
        f"拍摄失败：{detail}（请检查对焦、镜头盖和相机设置）",
        f"Capture failed: {detail} (check focus, lens cap, settings)",
    )


def msg_download_lost(name: str) -> str:
    return t(
        f"相机上已找不到照片 {name}（相机断开时内存中的照片可能已丢失），请为这位学生重拍。",
        f"Photo {name} is no longer on the camera (lost when it disconnected); please retake.",
    )


def msg_download_failed(name: str, detail: object) -> str:
    return t(
        f"照片 {name} 未能从相机下载：{detail}。照片仍在相机中，稍后自动重试。",
        f"Photo {name} could not be downloaded: {detail}. It stays on the camera and is retried.",
    )


def msg_kept_on_camera(name: str) -> str:
    return t(f"（照片仍在相机中：{name}，稍后自动重试）", f" (the photo stays on the camera as {name} and is retried)")


def msg_save_failed(name: str, detail: object) -> str:
    return t(f"照片 {name} 保存失败：{detail}（照片仍在相机中）", f"saving {name} failed: {detail}")


def msg_raw_only(name: str) -> str:
    return t(
        f"相机只拍了 RAW（{name}），已保存但无法检查。请把相机设为 JPEG 或 RAW+JPEG。",
        f"The camera shot RAW only ({name}); saved but not checkable. Set JPEG or RAW+JPEG.",
    )


def msg_jpeg_warning(name: str) -> str:
    return t(
        f"相机的照片 {name} 有轻微的数据错误，已保存；请查看画面是否完好，必要时重拍。",
        f"{name} has minor data errors; saved anyway. Check the picture; retake if needed.",
    )


def msg_target_mismatch(target: str) -> str:
    zh = "存储卡" if target == "card" else "相机内存"
    return t(
        f"相机的存储位置不是设置的“{zh}”，请在相机上检查。",
        f"The camera's capture target is not the configured {target}; check the camera.",
    )
