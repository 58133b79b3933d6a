"""The durable writer: temp file, fsync, verify, hash, rename — and what survives a kill or a full disk."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from capture.base import CaptureError
from capture.durable import CorruptImage, check_free_space, decode_strict, final_name_of_temp, temp_path_for, verify_jpeg, write_durable

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def jpeg(astronaut_rgb) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut_rgb).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def test_write_is_complete_hashed_and_leaves_no_temp_file(tmp_path, jpeg):
    final = tmp_path / "day" / "01_2019001_01.jpg"
    d = write_durable(jpeg, final)
    assert d.path == final and final.read_bytes() == jpeg
    assert d.sha256 == hashlib.sha256(jpeg).hexdigest() and d.bytes == len(jpeg)
    assert (d.width, d.height) == (512, 512)
    assert [p.name for p in final.parent.iterdir()] == [final.name]


def test_an_existing_photo_is_never_overwritten(tmp_path, jpeg, grace_hopper_path):
    final = tmp_path / "a.jpg"
    write_durable(jpeg, final)
    other = Path(grace_hopper_path).read_bytes()
    d = write_durable(other, final)
    assert final.read_bytes() == jpeg  # the first photo is intact
    assert d.path.name == "a-2.jpg" and d.path.read_bytes() == other


DAMAGE = {
    "truncated": lambda j: j[: len(j) * 2 // 3],
    "not_jpeg": lambda j: b"\x00" * 5000,
    "zeroed_middle": lambda j: j[:1000] + bytes(len(j) - 3000) + j[-2000:],
    "cut_out_middle": lambda j: j[: len(j) // 2] + j[-2000:],
    "truncated_with_end_marker": lambda j: j[: len(j) // 2] + b"\xff\xd9",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_jpeg_is_refused_and_nothing_gets_a_final_name(tmp_path, jpeg, damage):
    data = DAMAGE[damage](jpeg)
    with pytest.raises(CorruptImage):
        write_durable(data, tmp_path / "x.jpg")
    assert list(tmp_path.iterdir()) == []


def test_pillow_alone_would_have_accepted_the_subtle_damage(jpeg):
    """Why the strict decoder: Pillow's lenient decode passes these (libjpeg only warns)."""
    for damage in ("zeroed_middle", "cut_out_middle", "truncated_with_end_marker"):
        verify_jpeg(DAMAGE[damage](jpeg), strict=False)
        with pytest.raises(CorruptImage):
            verify_jpeg(DAMAGE[damage](jpeg))


# --- the reduced-scale check is as strict as a full decode ---------------------------------


def _entropy_start(j: bytes) -> int:
    """First byte of the entropy-coded data: after the start-of-scan header."""
    sos = j.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(j[sos + 2 : sos + 4], "big")


def _rejects(data: bytes, reduced: bool) -> bool:
    try:
        decode_strict(data, reduced=reduced)
    except ValueError:
        return True
    return False


def _damaged_variants(j: bytes, seed: int = 7):
    """(kind, bytes): truncations, zeroed runs, cut-outs, single-bit flips and inverted runs, all seeded."""
    rng = random.Random(seed)
    start, end = _entropy_start(j), len(j) - 2
    for _ in range(12):
        cut = rng.randrange(start + 10, end - 10)
        yield "truncated", j[:cut]
        yield "truncated", j[:cut] + b"\xff\xd9"
    for _ in range(40):
        n = rng.choice([512, 2048])
        at = rng.randrange(start, end - n - 10)
        yield "zeroed", j[:at] + bytes(n) + j[at + n :]
        yield "cut_out", j[:at] + j[at + n :]
    for _ in range(300):
        d = bytearray(j)
        d[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
        yield "bit_flip", bytes(d)
    for _ in range(60):
        d = bytearray(j)
        at = rng.randrange(start, end - 16)
        d[at : at + 16] = bytes(b ^ 0xFF for b in d[at : at + 16])
        yield "inverted_run", bytes(d)


def test_the_check_decodes_at_one_eighth_scale(jpeg, grace_hopper_path):
    """If simplejpeg ever ignored the size hint, the check would silently become a full decode."""
    assert decode_strict(jpeg).shape == (64, 64, 1)  # 512 x 512
    assert decode_strict(Path(grace_hopper_path).read_bytes()).shape == (75, 64, 1)  # 512 x 600
    assert decode_strict(jpeg, reduced=False).shape == (512, 512, 3)


def test_reduced_scale_rejects_exactly_what_a_full_decode_rejects(jpeg):
    """The claim behind the 1/8-scale check: the entropy decoder parses every block at any scale."""
    verdicts: dict[str, list[bool]] = {}
    for kind, data in _damaged_variants(jpeg):
        full, reduced = _rejects(data, reduced=False), _rejects(data, reduced=True)
        assert full == reduced, f"{kind}: full decode rejects={full}, 1/8 decode rejects={reduced}"
        verdicts.setdefault(kind, []).append(reduced)
    rate = {kind: sum(v) / len(v) for kind, v in verdicts.items()}
    # A cut-off file is always found: the decoder runs out of data before the last block.
    assert rate["truncated"] == 1.0
    # Damage inside the data is found where it breaks the entropy code. Without restart markers a
    # Huffman stream can resynchronise after a zeroed or missing range, and a flipped bit that
    # leaves a valid code decodes cleanly at any scale: a decode check is not a checksum (the
    # sha256 taken at download is what guards the file from then on). On this portrait:
    assert rate["zeroed"] > 0.85 and rate["cut_out"] > 0.85  # 0.5-2 KB ranges
    assert rate["inverted_run"] > 0.5  # 16 bytes
    assert 0.1 < rate["bit_flip"] < 0.5  # single bits


def test_a_bit_flipped_file_that_breaks_the_code_never_gets_a_final_name(tmp_path, jpeg):
    for kind, data in _damaged_variants(jpeg, seed=11):
        if kind == "bit_flip" and _rejects(data, reduced=False):
            break
    else:
        raise AssertionError("no detectable bit flip in the sample")
    with pytest.raises(CorruptImage):
        write_durable(data, tmp_path / "x.jpg")
    assert list(tmp_path.iterdir()) == []


def test_raw_companions_are_checked_by_size_only(tmp_path):
    raw = os.urandom(100_000)
    d = write_durable(raw, tmp_path / "x.nef")
    assert d.path.read_bytes() == raw and d.width is None


def test_verify_jpeg_reads_the_size(grace_hopper_path):
    assert verify_jpeg(Path(grace_hopper_path).read_bytes()) == (512, 600)


def test_temp_names_map_back_to_their_final_name(tmp_path):
    tmp = temp_path_for(tmp_path / "01_2019001_03.jpg")
    assert tmp.name.startswith(".") and tmp.name.endswith(".part")
    assert final_name_of_temp(tmp.name) == "01_2019001_03.jpg"
    assert final_name_of_temp("01_2019001_03.jpg") is None


def test_free_space_threshold_refuses_with_a_clear_message(tmp_path):
    assert check_free_space(tmp_path, 1) > 1
    with pytest.raises(CaptureError) as err:
        check_free_space(tmp_path / "not" / "yet", 1e12)
    assert err.value.code == "disk_low" and "磁盘空间不足" in str(err.value)


# --- a real full disk ----------------------------------------------------------------


@pytest.fixture
def tiny_tmpfs(tmp_path):
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_is_reported_and_leaves_nothing_behind(tiny_tmpfs, astronaut_rgb):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(astronaut_rgb).resize((900, 900)).save(buf, "JPEG", quality=95)
    big = buf.getvalue()
    assert len(big) > 128 * 1024
    with pytest.raises(CaptureError) as err:
        write_durable(big, tiny_tmpfs / "01_2019001_01.jpg")
    assert err.value.code == "disk_full" and "磁盘已满" in str(err.value)
    assert list(tiny_tmpfs.iterdir()) == []
    # a small photo still fits afterwards: the failed write freed its space
    small = io.BytesIO()
    Image.fromarray(astronaut_rgb).resize((200, 200)).save(small, "JPEG")
    assert write_durable(small.getvalue(), tiny_tmpfs / "01_2019001_02.jpg").path.exists()


# --- a process killed between write and rename -------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {root!r})
    import capture.durable as durable

    data = open({src!r}, "rb").read()
    mode = {mode!r}
    if mode == "before_rename":
        real_link = os.link
        def stop_here(src, dst, *a, **k):
            print("READY", flush=True)
            time.sleep(60)
            return real_link(src, dst, *a, **k)
        durable.os.link = stop_here
        durable.write_durable(data, __import__("pathlib").Path({out!r}) / "01_2019001_01.jpg")
    else:  # write photo after photo until killed
        i = 0
        print("READY", flush=True)
        while True:
            i += 1
            durable.write_durable(data, __import__("pathlib").Path({out!r}) / f"01_2019001_{{i:04d}}.jpg")
    """
)


def _spawn(tmp_path, src: Path, out: Path, mode: str) -> subprocess.Popen:
    code = CHILD.format(root=str(ROOT), src=str(src), out=str(out), mode=mode)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


@pytest.fixture
def big_jpeg(tmp_path, astronaut_rgb) -> Path:
    from PIL import Image

    p = tmp_path / "src.jpg"
    Image.fromarray(astronaut_rgb).resize((2000, 2000)).save(p, quality=95)
    return p


def test_killed_between_write_and_rename_leaves_only_a_temp_file(tmp_path, big_jpeg):
    out = tmp_path / "out"
    proc = _spawn(tmp_path, big_jpeg, out, "before_rename")
    assert proc.stdout.readline().strip() == "READY"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    names = [p.name for p in out.iterdir()]
    assert len(names) == 1 and final_name_of_temp(names[0]) == "01_2019001_01.jpg"
    # the temp file is complete (it was fsync'd before the rename): recovery can finish it
    assert (out / names[0]).read_bytes() == big_jpeg.read_bytes()


def test_no_final_name_ever_holds_a_partial_file_under_random_kills(tmp_path, big_jpeg):
    src = big_jpeg.read_bytes()
    want = hashlib.sha256(src).hexdigest()
    for round_ in range(6):
        out = tmp_path / f"out{round_}"
        proc = _spawn(tmp_path, big_jpeg, out, "loop")
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(0.05 + 0.037 * round_)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        for p in out.iterdir():
            if final_name_of_temp(p.name):
                continue  # interrupted writes stay hidden temp files
            assert hashlib.sha256(p.read_bytes()).hexdigest() == want, p
