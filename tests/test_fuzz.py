"""Fuzzing in the suite, on a small budget: the roster reader and validator, the image loader.

The bigger runs and their counts are in docs/reliability.md (``python -m tests._fuzz --budget 2000``).
The fuzzer runs in its own process: a crash or an abort of a native reader is a failure here, not the end
of the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_fuzzed_rosters_and_photos_give_a_result_or_a_message_never_a_traceback():
    r = subprocess.run([sys.executable, "-m", "tests._fuzz", "--budget", "80", "--seed", "15"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT),
                                                                             RUST_BACKTRACE="0"))
    assert r.returncode == 0, (r.returncode, r.stderr[-3000:])
    results = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    assert [x["target"] for x in results] == ["roster reader + validator", "image loader (qc.decode)"]
    for res in results:
        assert res["files"] == 80, res
        assert res["tracebacks"] == 0, res["first_tracebacks"]
        assert res["errors"] > 0 and res["read"] > 0, res  # the mutations hit both ways
        assert res["peak_mb"] < 1000, res
