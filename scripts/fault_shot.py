"""The real shot path, for the fault-injection harness (tests/test_fault_injection.py).

    STATION_FAULT_AT=<point>[:n] python scripts/fault_shot.py --db URL --captures DIR [--checks] CODE...

For each code: scan (identify) → capture on the camera (libgphoto2's virtual
camera, VCAMERADIR) → save (capture/durable.py) → record → check → select,
exactly as `station shoot` drives app.workflow.Workflow. The harness names a
point and the process is killed there with SIGKILL (capture/faultpoint.py):

    scan.done       the student identified, nothing taken yet
    capture.taken   the camera took the photo; not downloaded (it is still on the camera's card)
    save.written    the bytes are in a hidden .part file, fsync'd, not yet named
    save.linked     the final name is linked, the .part not yet removed
    save.published  the photo has its final name; nothing recorded
    record.flushed  the shot's row is written in an open transaction, not committed
    record.done     the shot is recorded, not checked
    check.start     the photo checks are about to run
    check.done      the verdict is stored, nothing selected
    select.flushed  the selection's row is written in an open transaction, not committed
    select.done     the selection is committed

``--checks`` loads the real photo checks (qc.checker.Checker, a few seconds);
without it the workflow records no verdict, as a station whose checks failed
to load does. One JSON line per finished step goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

POINTS = (
    "scan.done", "capture.taken", "save.written", "save.linked", "save.published", "record.flushed",
    "record.done", "check.start", "check.done", "select.flushed", "select.done",
)
# points at or after which the camera's photo reached the station (its bytes were downloaded)
DELIVERED_FROM = "save.written"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--captures", required=True)
    ap.add_argument("--checks", action="store_true")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("codes", nargs="+")
    args = ap.parse_args(argv)

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app import settings
    from app.db import open_db
    from app.models import Selection, Shot
    from app.workflow import Workflow
    from capture.faultpoint import fault_point

    def after_flush(session, _ctx) -> None:
        for obj in list(session.new):
            if isinstance(obj, Shot):
                fault_point("record.flushed")
            elif isinstance(obj, Selection):
                fault_point("select.flushed")

    event.listen(Session, "after_flush", after_flush)

    def say(**kw) -> None:
        print(json.dumps(kw, ensure_ascii=False), flush=True)

    db = open_db(args.db)
    wf = Workflow(db, capture_folder=args.captures)
    photos: queue.Queue = queue.Queue()
    errors: list[str] = []

    def on_event(ev) -> None:
        if ev.kind == "photo" and ev.photo is not None:
            photos.put(ev.photo)
        elif ev.kind == "error" and ev.error:
            errors.append(ev.error)

    try:
        wf.recover()  # what the station does on every start, before the camera opens
        if args.checks:
            wf.load_checker()
        with db.session() as s:
            backend = settings.all_settings(s)
        backend["capture.backend"] = "gphoto2"
        cam = wf.open_camera(on_event, backend)
        if not cam.wait_connected(args.timeout):
            say(error=errors[-1] if errors else "no camera")
            return 4
        for code in args.codes:
            found = wf.identify(code)
            if found.needs_confirmation:
                wf.confirm_duplicate()
            fault_point("scan.done")
            wf.shoot()
            photo = photos.get(timeout=args.timeout)
            say(step="saved", code=code, path=str(photo.path), sha256=photo.sha256)
            shot = wf.record_photo(photo)
            fault_point("record.done")
            say(step="recorded", code=code, shot=shot.id)
            fault_point("check.start")
            shot = wf.check_shot(shot.id)
            fault_point("check.done")
            say(step="checked", code=code, verdict=shot.qc_verdict)
            wf.accept(None if shot.qc_verdict in ("pass", "warn", None) else "fault harness")
            fault_point("select.done")
            say(step="selected", code=code)
    finally:
        wf.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
