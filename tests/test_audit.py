"""Every export of personal data leaves an audit record, and `station audit` shows them."""

from __future__ import annotations

import hashlib
import json

from app.audit import actor
from tests._reports_day import day  # noqa: F401


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_export_is_recorded_with_its_file_hash(day, run_cli, tmp_path):
    rec, err_xlsx, zip_path = tmp_path / "rec.xlsx", tmp_path / "errata.xlsx", tmp_path / "photos.zip"
    assert run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning")[0] == 0  # printed only
    assert run_cli("report", "reconcile", "--date", "2019-03-16", "--period", "morning", "--out", rec)[0] == 0
    assert run_cli("report", "errata", "--out", err_xlsx, "--password", "pw-123456")[0] == 0
    run_cli("export", "photos", "--out", zip_path, "--class", "软件1901", "--password", "pw-123456",
            "--staging", tmp_path / "stage", "--no-proof")

    code, out, _ = run_cli("audit", "--json")
    assert code == 0
    entries = [json.loads(line) for line in out.strip().splitlines()]
    assert [e["action"] for e in entries] == ["export_photos", "report_errata", "report_reconcile"]  # newest first
    photos, errata, reconcile = entries
    assert all(e["actor"] == actor() for e in entries)
    assert (reconcile["rows"], reconcile["encrypted"], reconcile["sha256"]) == (39, False, sha(rec))
    assert reconcile["scope"]["period"]["label"].startswith("2019-03-16 上午")
    assert (errata["rows"], errata["encrypted"], errata["sha256"]) == (4, True, sha(err_xlsx))
    assert (photos["rows"], photos["encrypted"], photos["sha256"]) == (15, True, sha(zip_path))
    assert photos["scope"]["class"] == "软件1901" and photos["path"] == str(zip_path.resolve())

    code, out, _ = run_cli("audit", "--action", "report_errata")
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "report_errata" in lines[0] and "加密" in lines[0] and sha(err_xlsx)[:12] in lines[0]
    code, out, _ = run_cli("audit", "--limit", "2", "--json")
    assert len(out.strip().splitlines()) == 2


def test_audit_on_an_empty_station(run_cli):
    code, out, _ = run_cli("audit")
    assert code == 0 and out == ""
