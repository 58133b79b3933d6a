"""The close-up of unsure checks and the photographer's confirm/overrule (issue 12, item 5).

Real parts: the demo roster in SQLite, the workflow with the real checks, Grace Hopper's portrait (her
glasses fail ``glasses``: a close-up check) and the astronaut in a white suit (no close-up check unsure).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.models import QcReview
from app.qc_review import closeup_for_shot, override_stats, record_review
from tests.test_workflow import deliver, students


@pytest.fixture
def roster_db(import_demo_roster):
    return import_demo_roster(n=10, seed=3)[0]


def test_the_report_says_where_to_look_only_when_a_closeup_check_is_unsure(checker, grace_hopper_path,
                                                                            astronaut_rgb):
    report = checker.check_path(grace_hopper_path)
    assert report.checks["glasses"].verdict == "fail"
    boxes = report.closeup
    assert set(boxes) == {"left_ear", "right_ear", "brows"}
    # her face spans about x 0.3-0.72 of the photo, eyes at y ~0.32
    assert boxes["left_ear"][2] < 0.45 < boxes["right_ear"][0]
    assert boxes["brows"][1] < 0.32 < boxes["brows"][3]
    assert report.to_dict()["closeup"]["brows"] == [round(v, 4) for v in boxes["brows"]]
    calm = checker.check_image(astronaut_rgb)
    unsure = [n for n in ("ears_visible", "eyebrows_visible", "glasses", "jewelry")
              if calm.checks[n].verdict in ("warn", "fail")]
    assert bool(calm.closeup) == bool(unsure)


def test_closeup_crops_come_from_the_full_resolution_file_and_answers_are_counted(wf, roster_db, demo_portraits,
                                                                                   run_cli):
    from PIL import Image

    (sid, idn, *_), (sid2, idn2, *_) = students(roster_db, 2)
    wf.identify(idn)
    shot = wf.process_photo(deliver(wf, demo_portraits["fail"]))
    view = closeup_for_shot(roster_db, shot.id)
    assert view is not None and [c[0] for c in view.checks] == ["glasses"]
    assert view.checks[0][1] == "fail" and "眼镜" in view.checks[0][2]
    assert set(view.crops) == {"left_ear", "brows", "right_ear"}
    # the crop has the file's own pixels: its width is the box's share of the full-size photo
    full_w, full_h = Image.open(shot.path).size
    d = json.loads(_qc_json(roster_db, shot.id))["closeup"]["brows"]
    assert abs(view.crops["brows"].shape[1] - (d[2] - d[0]) * full_w) <= 2

    assert record_review(roster_db, shot.id, "overrule") == ["glasses"]
    assert record_review(roster_db, shot.id, "confirm") == ["glasses"]  # a second answer replaces the first
    with roster_db.session() as s:
        rows = s.scalars(select(QcReview)).all()
        assert [(r.check_name, r.verdict, r.decision) for r in rows] == [("glasses", "fail", "confirm")]
    assert closeup_for_shot(roster_db, shot.id).decision == "confirm"
    with pytest.raises(ValueError):
        record_review(roster_db, shot.id, "maybe")

    wf.retake()
    again = wf.process_photo(deliver(wf, demo_portraits["fail"]))
    record_review(roster_db, again.id, "overrule")
    stats = {st.check: st for st in override_stats(roster_db)}
    assert (stats["glasses"].unsure, stats["glasses"].answered, stats["glasses"].overruled) == (2, 2, 1)
    assert stats["glasses"].overrule_rate == 0.5

    code, out, err = run_cli("qc-eval", "--overrides", "--json")
    assert code == 0, err
    glasses = next(x for x in json.loads(out) if x["check"] == "glasses")
    assert glasses == {"check": "glasses", "unsure": 2, "answered": 2, "confirmed": 1, "overruled": 1,
                       "overrule_rate": 0.5}
    code, out, _ = run_cli("qc-eval", "--overrides")
    assert code == 0 and "眼镜" in out and "50%" in out


def _qc_json(db, shot_id):
    from app.models import Shot

    with db.session() as s:
        return s.get(Shot, shot_id).qc_json


def test_qc_eval_needs_a_folder_unless_it_reports_overrides(run_cli):
    code, out, err = run_cli("qc-eval")
    assert code == 2 and "--overrides" in out + err
    code, out, err = run_cli("qc-eval", "--overrides")  # an empty station: every count 0, no rate
    assert code == 0 and "ears_visible" in out and "—" in out
