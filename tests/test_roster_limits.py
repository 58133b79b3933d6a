"""Roster files that crashed, aborted or hung the reader: each now a clear Chinese error (exit 2) or a finding,
within seconds and a few hundred MB (run as a real `station roster check` subprocess: an abort cannot take
the test run with it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import _bad_rosters as bad

ROOT = Path(__file__).resolve().parents[1]


# `station ...` that reports its own peak memory (VmHWM) last on stderr. Not ru_maxrss: Linux carries
# that over from the parent across fork and exec, and the parent here is a big pytest process.
_STATION = (
    "import sys\n"
    "from app.cli import main\n"
    "try:\n"
    "    rc = main(sys.argv[1:])\n"
    "finally:\n"
    "    hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM:')][0].split()[1]\n"
    "    print(f'VmHWM_KB={hwm}', file=sys.stderr)\n"
    "sys.exit(rc)\n"
)


def check(path: Path, tmp_path: Path) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, seconds, peak MB of the `station` process; the .xls child has its own cap)."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", _STATION, "--db", f"sqlite:///{tmp_path / 's.db'}", "roster", "check",
                        str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), RUST_BACKTRACE="0"))
    seconds = time.perf_counter() - t0
    hwm = [int(x.split("=", 1)[1]) for x in r.stderr.splitlines() if x.startswith("VmHWM_KB=")]
    return r.returncode, r.stdout, r.stderr, seconds, (hwm[-1] / 1024 if hwm else float("inf"))


@pytest.mark.parametrize(
    "name,message",
    [
        ("long_field.csv", "超过 131072 个字符"),
        ("odd_utf16.csv", "字节数是奇数"),
        ("truncated.xls", "文件已损坏或不完整"),
        ("far_cell.xlsx", "用到第 1048576 行"),
        ("bomb.xlsx", "压缩炸弹"),
    ],
)
def test_bad_roster_gets_a_clear_error_and_exit_2(tmp_path, name, message):
    pytest.importorskip("xlwt")
    path = bad.BAD[name](tmp_path / name)
    code, out, err, seconds, peak_mb = check(path, tmp_path)
    assert code == 2, (code, err[-3000:])
    assert "Traceback" not in err and message in err, err[-3000:]
    assert "无法读取名单" in err
    assert seconds < 60, seconds  # generous on a shared machine; ~2 s alone
    assert peak_mb < 600, peak_mb  # the bomb took 4.1 GB, the far cell aborted


def test_an_xls_that_makes_calamine_allocate_4_gb_is_an_error_not_an_abort(tmp_path):
    """Found by the fuzzer (tests/_fuzz.py): a damaged .xls whose counts make calamine ask for 4 GB and abort."""
    path = ROOT / "tests" / "data" / "fuzz_xls_allocates_4gb.xls"
    code, out, err, seconds, peak_mb = check(path, tmp_path)
    assert code == 2 and "文件已损坏或不完整" in err and "Traceback" not in err, (code, err[-2000:])


def test_two_thousand_overlapping_merged_ranges_are_a_finding_not_minutes(tmp_path):
    path = bad.overlapping_merges_xlsx(tmp_path / "merges.xlsx")
    code, out, err, seconds, peak_mb = check(path, tmp_path)
    assert code in (0, 1), err[-3000:]
    assert "1999 个合并单元格区域与其他区域重叠" in out + err, (out + err)[-3000:]
    assert seconds < 60 and peak_mb < 600, (seconds, peak_mb)


def test_limits_are_named_in_the_message_for_too_many_rows(tmp_path, monkeypatch):
    from app.errors import InputError
    from app.roster import limits, reader
    from tests._roster_books import HEADERS, good_rows

    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    csv_path = tmp_path / "r.csv"
    csv_path.write_text("\n".join(",".join(r) for r in [HEADERS, *good_rows(8)]), "utf-8")
    with pytest.raises(InputError) as info:
        reader.read_roster(csv_path)
    assert "超过 5 行" in info.value.message
