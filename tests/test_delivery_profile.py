"""The delivery profile file and the size of every delivered 480×640 photo (附件: 30,000–60,000 bytes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from app.errors import InputError
from app.delivery_files import encode_delivery
from app.delivery_plan import DELIVERY_PROFILES_DIR, PROFILES, DeliveryProfile

FACES = Path(__file__).resolve().parents[2] / "shared" / "faces" / "images"


def _portrait(im: Image.Image, prof: DeliveryProfile) -> Image.Image:
    """Cut to 3:4 and scale to the profile's pixels, as the export does after its crop."""
    return ImageOps.fit(im.convert("RGB"), (prof.width, prof.height), Image.Resampling.LANCZOS)


def test_default_profile_is_a_file_with_the_spec():
    prof = PROFILES["chsi"]
    assert (DELIVERY_PROFILES_DIR / "chsi.toml").is_file()
    assert (prof.width, prof.height, prof.dpi) == (480, 640, 300)
    assert (prof.min_bytes, prof.max_bytes) == (30_000, 60_000)  # bytes, not KiB: 61,440 is over "60 KB"
    assert prof.naming == "id_number"


def test_profile_file_errors_are_clear(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text('name = "x"\nwidth = 480\n', encoding="utf-8")
    with pytest.raises(InputError, match="交付格式文件"):
        DeliveryProfile.load(bad)
    custom = tmp_path / "small.toml"
    custom.write_text("width = 480\nheight = 640\ndpi = 300\nmin_bytes = 20000\nmax_bytes = 40000\n", encoding="utf-8")
    prof = DeliveryProfile.load(custom)
    assert prof.name == "small" and prof.max_bytes == 40000


def _sources(astronaut_rgb, grace_hopper_path):
    yield "astronaut", Image.fromarray(astronaut_rgb)
    with Image.open(grace_hopper_path) as im:
        yield "grace_hopper", im.copy()
    if FACES.is_dir():
        for p in sorted(FACES.glob("*.jpg")):
            with Image.open(p) as im:
                yield p.name, ImageOps.exif_transpose(im).copy()


def test_every_delivered_photo_is_at_most_60000_bytes(astronaut_rgb, grace_hopper_path):
    prof = PROFILES["chsi"]
    sizes = {}
    for name, im in _sources(astronaut_rgb, grace_hopper_path):
        data, q, ok = encode_delivery(_portrait(im, prof), prof)
        sizes[name] = len(data)
        assert len(data) <= 60_000, (name, len(data), q)
        assert ok and len(data) >= prof.min_bytes, (name, len(data), q)
        with Image.open(__import__("io").BytesIO(data)) as out:
            assert out.size == (480, 640) and round(out.info["dpi"][0]) == 300
    assert len(sizes) >= 2


def test_a_busy_image_that_needs_a_low_quality_still_fits():
    prof = PROFILES["chsi"]
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, (640, 480, 3), dtype=np.uint8)  # pure noise: the worst case for JPEG
    data, q, ok = encode_delivery(Image.fromarray(noise), prof)
    assert len(data) <= prof.max_bytes or not ok
