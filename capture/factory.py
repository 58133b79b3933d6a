"""Build the configured camera backend.

``make_backend("gphoto2", namer=..., on_event=...)`` or
``make_backend(settings_dict, namer=..., on_event=...)`` where the dict holds
the station's settings (``app.settings.all_settings``): ``capture.backend``,
``capture.folder``, ``capture.target``, ``capture.min_free_mb``,
``capture.hot_folder``, ``capture.webcam_index``. Keyword options override
the settings and go to the backend's constructor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from capture.base import CameraBackend, EventSink, Namer

BACKENDS = ("gphoto2", "folder", "webcam")


def make_backend(
    name_or_settings: str | Mapping[str, Any], *, namer: Namer, on_event: EventSink, **options: Any
) -> CameraBackend:
    if isinstance(name_or_settings, str):
        name, settings = name_or_settings, {}
    else:
        settings = dict(name_or_settings)
        name = str(options.pop("backend", None) or settings.get("capture.backend") or "gphoto2")
    name = name.strip().lower()
    decoder = options.pop("decoder", None)  # the strict check that also decodes for the checks (capture.base.Decoder)
    if name not in BACKENDS:
        raise ValueError(f"unknown camera backend {name!r}; choose one of {', '.join(BACKENDS)}")

    def opt(key: str, setting: str, default: Any = None) -> Any:
        if key in options:
            return options.pop(key)
        return settings.get(setting, default)

    folder = opt("folder", "capture.folder")
    min_free = opt("min_free_mb", "capture.min_free_mb", 0)
    common = {"folder": Path(folder) if folder else None, "min_free_mb": float(min_free or 0)}
    if name == "gphoto2":
        from capture.gphoto2_camera import Gphoto2Camera  # lazy: a backend's modules load when it is chosen (`station --help` imports capture)

        backend: CameraBackend = Gphoto2Camera(namer, on_event, target=opt("target", "capture.target", "card"),
                                               **common, **options)
        backend.decoder = decoder
        return backend
    if name == "folder":
        from capture.folder_watch import FolderWatch  # lazy: a backend's modules load when it is chosen

        hot = opt("hot_folder", "capture.hot_folder")
        if not hot:
            raise ValueError("the folder backend needs a hot folder (setting capture.hot_folder)")
        backend = FolderWatch(namer, on_event, hot_folder=Path(hot), **common, **options)
        backend.decoder = decoder
        return backend
    from capture.webcam import Webcam  # lazy: a backend's modules load when it is chosen

    backend = Webcam(namer, on_event, device=opt("device", "capture.webcam_index", 0), **common, **options)
    backend.decoder = decoder
    return backend
