"""The photo checks on their one thread (app/shot_checks.py): started by the first job, the verdict from the
image the capture layer decoded (the same as from the file), nobody blocked waiting for it."""

from __future__ import annotations

import threading

from app.shot_checks import ShotChecks


def test_nothing_starts_before_the_first_check(db):
    checks = ShotChecks(db)
    assert checks._pool is None and not checks.on
    checks.close()


def test_the_verdict_from_the_decoded_image_is_the_verdict_from_the_file(db, demo_checker, demo_portraits):
    checks = ShotChecks(db)
    checks.checker = demo_checker
    try:
        for kind in ("pass", "fail"):
            path = demo_portraits[kind]
            decoded = checks.decode(memoryview(path.read_bytes()))  # what the camera layer runs as its strict check
            seen: list[tuple] = []

            def record(verdict, qc_json, ms):
                seen.append((verdict, threading.current_thread().name))
                return verdict

            once = checks.check(str(path), decoded, record)
            again = checks.check(str(path), None, record)  # no image: the file is read and decoded
            assert once.result(60) == again.result(60) == demo_checker.check_path(path).verdict
            assert all(name.startswith("qc") for _v, name in seen)  # stored from the checks' own thread
    finally:
        checks.close()


def test_without_checks_the_camera_keeps_its_own_strict_check(db, demo_portraits):
    import pytest

    from app.shot_checks import NoChecks

    checks = ShotChecks(db)
    with pytest.raises(NoChecks):
        checks.decode(memoryview(demo_portraits["pass"].read_bytes()))
