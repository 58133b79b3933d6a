"""Checker.warm_up (issue 12, item 7): every model and check runs once before the first student's photo."""

from __future__ import annotations


def test_warm_up_runs_every_graph_on_a_face_and_changes_no_verdict(grace_hopper_path):
    from qc.checker import Checker

    with Checker(warm=False) as cold:
        # built lazily: before warming, no graph exists yet
        assert cold.models._cache == {}
        ms = cold.warm_up()
        assert ms > 0
        # the detectors (both ranges), the mesh, the person mask and the body pose are loaded and fed
        assert {"detect_full", "detect_short", "mesh", "segment", "pose"} <= set(cold.models._cache)
        assert cold._quiet_first is False  # the mesh's first real face is behind us
        warmed = cold.check_path(grace_hopper_path)
    with Checker() as fresh:
        first = fresh.check_path(grace_hopper_path)
    # warming leaves no state behind that changes a verdict
    assert warmed.verdict == first.verdict
    assert {k: v.verdict for k, v in warmed.checks.items()} == {k: v.verdict for k, v in first.checks.items()}


def test_the_workflow_warms_the_checker_when_it_loads_it(tmp_path, db):
    from app.workflow import Workflow

    wf = Workflow(db, capture_folder=tmp_path)
    checker = wf.load_checker()
    assert checker._quiet_first is False
    assert "segment" in checker.models._cache and "mesh" in checker.models._cache
