"""The demo's sample portraits and check profile: what libgphoto2's virtual camera serves in the demo.

The only real portraits that ship inside the installed packages are
scikit-image's astronaut (Eileen Collins, NASA, public domain) and matplotlib's
Grace Hopper (US Navy, public domain). From them the demo makes a passing
photo (the astronaut with her suit made white, its folds kept, blended softly
at the neck, on a plain studio backdrop) and failing ones (the orange suit;
Grace Hopper's dark uniform and glasses). Made once with mediapipe's
segmentation and face detection, and cached. The labelled research portraits in
``../shared/faces`` are not used: their README asks that they not be copied
into the repository, its documentation or screenshots.
"""

from __future__ import annotations

from pathlib import Path

PORTRAITS_VERSION = 4  # bump when demo_variants() draws them differently (they are cached)


DEMO_PROFILE_NOTE = (
    "演示使用检查标准 demo: 与默认标准相同, 只是不检查耳朵 (随软件包附带的示例照片里, 宇航员的耳朵被头发遮住)。",
    "The demo uses the check profile 'demo': the default rules without ears_visible (the astronaut in the "
    "package-shipped sample photos has her ears covered by hair).",
)


def write_demo_profile(work: Path) -> Path:
    """The demo's photo-check profile: the centre's rules, minus the one no sample portrait can meet.

    The only real portraits that ship inside the installed packages are
    scikit-image's astronaut (hair over her ears) and matplotlib's Grace
    Hopper (glasses, dark uniform). With every rule in force no demo photo
    could pass, so the demo leaves out ``ears_visible`` and says so; every
    other check runs as in the field.
    """
    from qc.profile import load_profile  # lazy: TOML profiles and numpy, not for station --help

    checks = [c for c in load_profile(None).data["profile"]["checks"] if c != "ears_visible"]
    path = work / "demo_profile.toml"
    listed = ", ".join(f'"{c}"' for c in checks)
    path.write_text(
        "# Written by `station demo`: the default rules without ears_visible (see DEMO_PROFILE_NOTE).\n"
        'extends = "default"\n\n[profile]\nname = "demo"\n'
        'description = "演示: 默认标准, 不检查耳朵 (示例照片的耳朵被头发遮住)"\n'
        f"checks = [{listed}]\n",
        encoding="utf-8",
    )
    return path


def demo_variants(cache: Path) -> list[tuple[str, bytes]]:
    """The portraits the demo camera serves in turn, made from the package-shipped samples.

    scikit-image's astronaut, cropped to a portrait, once with her suit made
    white and the backdrop made plain (the passing photo: white spacesuits
    exist) and once as shipped (orange suit: a failure with one reason);
    matplotlib's Grace Hopper as shipped (dark uniform, dark backdrop: a
    failure with several reasons), then the white-suit astronaut again. In
    that order shots alternate pass and fail, so a failing student's retake
    passes. Built once (mediapipe's segmentation and face detection) and
    kept in ``cache``.
    """
    import io

    from capture.virtual import sample_portraits  # lazy: numpy and Pillow, not for station --help

    cache.mkdir(parents=True, exist_ok=True)
    names = sorted(p.name for p in cache.glob("*.jpg"))
    if names:
        return [(n, (cache / n).read_bytes()) for n in names]
    from PIL import Image

    samples = {n: Image.open(io.BytesIO(b)).convert("RGB") for n, b in sample_portraits()}
    astro, grace = samples.get("astronaut.jpg"), samples.get("grace_hopper.jpg")
    images: list[tuple[str, Image.Image]] = []
    if astro is not None:
        portrait = astro.crop((95, 0, 385, 387)).resize((900, 1200), Image.LANCZOS)
        white = _plain_backdrop(_white_top(portrait))
        images += [("1_astronaut_white_suit.jpg", white)]
        if grace is not None:
            images += [("2_grace_hopper.jpg", grace)]
        images += [("3_astronaut_white_suit.jpg", white), ("4_astronaut_orange_suit.jpg", portrait)]
        if grace is None:
            images.pop(1)  # keep pass and fail alternating
    elif grace is not None:  # without scikit-image: the demo shows failures only
        images += [("2_grace_hopper.jpg", grace), ("5_grace_hopper_plain_backdrop.jpg", _plain_backdrop(grace))]
    if not images:
        raise RuntimeError("no sample portrait: install scikit-image or matplotlib")
    out = []
    for name, im in images:
        buf = io.BytesIO()
        _with_exif(im, buf)
        (cache / name).write_bytes(buf.getvalue())
        out.append((name, buf.getvalue()))
    return out


def _person_mask(rgb):
    """mediapipe's selfie segmentation: a soft person/backdrop mask in 0..1."""
    import mediapipe as mp

    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        return seg.process(rgb).segmentation_mask


def _face_box(rgb):
    import mediapipe as mp

    with mp.solutions.face_detection.FaceDetection(model_selection=1) as fd:
        found = fd.process(rgb).detections
    return found[0].location_data.relative_bounding_box if found else None


def _skin_likelihood(rgb, box):
    """How much each pixel looks like this face's skin (0..1), from the cheeks' colour in CrCb."""
    import cv2
    import numpy as np

    h, w = rgb.shape[:2]
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    x0, y0 = int((box.xmin + box.width * 0.25) * w), int((box.ymin + box.height * 0.45) * h)
    x1, y1 = int((box.xmin + box.width * 0.75) * w), int((box.ymin + box.height * 0.8) * h)
    patch = ycc[y0:y1, x0:x1, 1:].reshape(-1, 2)
    mu, sd = patch.mean(axis=0), patch.std(axis=0) + 4.0
    d2 = (((ycc[..., 1:] - mu) / sd) ** 2).sum(axis=2)
    return np.exp(-d2 / 6.0)


def _white_top(im):
    """The clothing made white, its folds kept (luminance only), blended softly into neck and backdrop.

    The clothing is the person below the chin, minus what looks like the face's own skin (the
    neck), with a soft ramp at the chin and feathered edges: no hard line, no painted block.
    """
    import cv2
    import numpy as np
    from PIL import Image

    rgb = np.asarray(im)
    h = rgb.shape[0]
    box = _face_box(rgb)
    if box is None:
        return im
    chin = (box.ymin + box.height * 1.06) * h
    ramp = 0.03 * h
    ys = np.arange(h, dtype=np.float32)[:, None]
    below = np.clip((ys - chin) / ramp, 0.0, 1.0)
    person = np.clip((_person_mask(rgb) - 0.05) / 0.4, 0.0, 1.0)
    person = cv2.dilate(person.astype(np.float32), np.ones((7, 7), np.uint8))  # the suit's coloured rim too
    # the neck's skin right under the chin stays (a turtleneck's edge, softly), the suit below turns white
    neck = np.clip((chin + 0.05 * h - ys) / (0.03 * h), 0.0, 1.0)
    cloth = person * below * (1.0 - _skin_likelihood(rgb, box) * neck)
    cloth = cv2.GaussianBlur(cloth.astype(np.float32), (0, 0), 1.5)[..., None]
    lum = rgb.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    # white cloth: bright, with the folds' shading kept (a dark collar becomes a light one, not grey)
    lum = cv2.GaussianBlur(lum, (0, 0), 1.0)
    white = 252.0 - (255.0 - lum) * 0.08
    white = np.repeat(white[..., None], 3, axis=2)
    out = rgb * (1 - cloth) + white * cloth
    return Image.fromarray(out.clip(0, 255).astype(np.uint8))


def _plain_backdrop(im, colour: tuple[int, int, int] = (190, 198, 206)):
    """The backdrop replaced by a plain light blue-grey, lit a little brighter behind the head, as a studio's."""
    import cv2
    import numpy as np
    from PIL import Image

    rgb = np.asarray(im)
    h, w = rgb.shape[:2]
    alpha = cv2.GaussianBlur(np.clip((_person_mask(rgb) - 0.2) / 0.5, 0, 1).astype(np.float32), (0, 0), 2.0)[..., None]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.0 - 0.06 * np.hypot((xx - w / 2) / w, (yy - h * 0.35) / h)  # a lit backdrop, darker at the corners
    back = np.array(colour, np.float32)[None, None, :] * light[..., None]
    return Image.fromarray((rgb * alpha + back * (1 - alpha)).clip(0, 255).astype(np.uint8))


def _with_exif(im, buf) -> None:
    """Saved as a studio camera would write it (exposure fields), marked as the demo's own."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0131] = "station demo (sample portrait, exposure fields illustrative)"  # Software
    ifd = exif.get_ifd(0x8769)
    ifd[0x829A] = 1 / 125
    ifd[0x829D] = 8.0
    ifd[0x8827] = 100
    ifd[0x920A] = 85.0
    im.save(buf, "JPEG", quality=92, exif=exif)


def pad_jpeg(data: bytes, size: int) -> bytes:
    """``data`` grown to exactly ``size`` bytes by comment (COM) segments right after the start marker."""
    pad = size - len(data)
    if data[:2] != b"\xff\xd8" or pad < 4 and pad != 0:
        raise ValueError("pad_jpeg: not a JPEG, or fewer than 4 bytes to add")
    segments = []
    while pad:
        n = min(pad, 65537)  # a segment is 4 bytes of header and at most 65533 of payload
        if 0 < pad - n < 4:
            n = pad - 4
        segments.append(b"\xff\xfe" + (n - 2).to_bytes(2, "big") + b" " * (n - 4))
        pad -= n
    return data[:2] + b"".join(segments) + data[2:]


class DemoPortraits:
    """Makes libgphoto2's virtual camera serve a different sample portrait for each shot.

    The virtual camera serves the first JPEG of its folder for every capture;
    it reads the file's size when it opens the folder and its bytes when a
    shot is downloaded. So every variant is padded to one common size (with
    JPEG comment segments, which decoders skip) and, after each photo has
    been saved, the served file is overwritten in place with the next one.
    Demo only: the station's own code never depends on this.
    """

    def __init__(self, work: Path):
        from capture.virtual import prepare_virtual_camera  # lazy: as above

        variants = demo_variants(work / f"portraits-v{PORTRAITS_VERSION}")
        size = max(len(b) for _n, b in variants) + 4
        self.variants = [pad_jpeg(b, size) for _n, b in variants]
        self.names = [n for n, _b in variants]
        first = work / "served.jpg"
        first.write_bytes(self.variants[0])
        self.folder = prepare_virtual_camera(work / "vcamera", sources=[first])
        self.served = self.folder / "served.jpg"
        self.index = 0

    def on_event(self, ev) -> None:
        """Called on the camera thread for every camera event: after a photo, serve the next portrait."""
        if getattr(ev, "kind", None) != "photo":
            return
        self.index = (self.index + 1) % len(self.variants)
        with open(self.served, "r+b") as f:
            f.write(self.variants[self.index])
