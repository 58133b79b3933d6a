"""`station shoot`: the handler (the parser is shoot_cmd.py); see shoot_cmd.py for what it does."""

from __future__ import annotations

import argparse
import json
import queue

from app import roles, settings
from app.cli import open_db
from app.errors import StationError
from app.i18n import t
from app.shot_sequence import ShotSequence
from app.workflow import Workflow, WorkflowError


def _ok(view):
    """A refused event (the view says why) ends this student's line."""
    if view.outcome == "refused":
        if view.error is not None and not isinstance(view.error, WorkflowError):
            # not this student's problem: the station cannot shoot (disk low, camera gone): the command's
            # top level turns it into its sentence and exit code (app/errors.py)
            raise view.error
        raise WorkflowError(view.message)
    return view


def run(args: argparse.Namespace) -> int:
    db = open_db(args)
    if args.reason:  # accepting a failing photo is the supervisor's decision
        roles.authorize_cli(args, db, "override", scope={"reason": args.reason})
    wf = Workflow(db, capture_folder=args.capture_folder)
    photos: queue.Queue = queue.Queue()
    errors: list[str] = []

    def on_event(ev) -> None:
        if ev.kind == "photo" and ev.photo is not None:
            photos.put(ev.photo)
        elif ev.kind == "error" and ev.error:
            errors.append(ev.error)

    failed = 0
    try:
        wf.load_checker()
        with db.session() as s:
            backend = settings.all_settings(s)
        if args.backend:
            backend["capture.backend"] = args.backend
        cam = wf.open_camera(on_event, backend)
        if not cam.wait_connected(args.timeout):
            raise StationError(errors[-1] if errors else t("未找到相机", "no camera found"), exit_code=4)
        seq = ShotSequence(wf)  # the same sequence the window sends its keys to
        for code in args.codes:
            line: dict = {"code": code}
            try:
                view = _ok(seq.scan(code))
                found = view.identified
                if found.kind != "found":
                    raise WorkflowError(
                        t(f"名单中没有唯一匹配的学生 ({len(found.candidates)} 个相近)",
                          f"no single student matches ({len(found.candidates)} similar)")
                    )
                card = found.card
                line.update(student_no=card.student_no, name=card.name, id=card.id_masked)
                if view.phase == "confirm":
                    if not args.again:
                        raise WorkflowError(t("该学生已拍摄过 (重拍请加 --again)",
                                              "already photographed (add --again to shoot again)"))
                    _ok(seq.enter())
                while not photos.empty():  # a stray camera-button photo belongs to no one here
                    photos.get_nowait()
                _ok(seq.shutter())
                try:
                    photo = photos.get(timeout=args.timeout)
                except queue.Empty:
                    seq.camera_failed()
                    raise WorkflowError(errors[-1] if errors else t("相机没有送回照片", "the camera sent no photo")) from None
                shot = seq.photo_arrived(photo).recorded
                shot = wf.submit_check(shot, photo).result()  # the photo's own decoded image, on the checks' thread
                seq.verdict_arrived(shot)
                line.update(path=shot.path, verdict=shot.qc_verdict, qc_ms=None if shot.qc_ms is None else round(shot.qc_ms, 1),
                            failing=[{"check": c.name, "reason": c.text()} for c in shot.checks
                                     if c.verdict == "fail"])
                view = _ok(seq.enter())
                if view.phase == "reason" and args.reason:
                    view = _ok(seq.enter(args.reason))
                elif view.phase == "reason":
                    seq.esc()
                    seq.r()  # kept, marked for a retake; the student stays pending (已拍未确认)
                line["accepted"] = view.outcome == "accepted"
                if not line["accepted"]:
                    failed += 1
            except WorkflowError as exc:
                line.update(accepted=False, error=exc.message)
                failed += 1
            seq.esc()  # let the student go (a student with photos and none accepted stays pending)
            print(json.dumps(line, ensure_ascii=False), flush=True)
        seq.close()
    finally:
        wf.close()
        db.dispose()
    return 1 if failed else 0
