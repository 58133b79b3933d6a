"""qc-eval: run the checks over a labelled folder and measure them.

For every check with a label column (see ``LABELS``) it counts the failing
class — the photos the label says break the rule — and prints precision,
recall and F1 of the check's verdicts against it, and the false-reject rate
on the photos the label says are compliant. A check without a label column
is reported on false rejects only (every photo counts as compliant for it).
Rows whose label is ``unsure`` (or empty) are left out of that check's
measure. Latency: median and p95 of the whole check per photo (decode
included), and the median per check.

The labels CSV has a ``file`` column (names relative to the folder) and the
columns of ``../shared/faces/labels.csv``.
"""

from __future__ import annotations

import csv
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# check -> (label column, the value(s) that mean the rule is broken, the values that mean compliant)
LABELS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "white_top": ("top_white", frozenset({"no"}), frozenset({"yes"})),
    "glasses": ("glasses", frozenset({"yes"}), frozenset({"no"})),
    "ears_visible": ("ears_covered", frozenset({"yes"}), frozenset({"no"})),
    "eyebrows_visible": ("eyebrows_covered", frozenset({"yes"}), frozenset({"no"})),
    "jewelry": ("jewelry", frozenset({"earrings", "necklace", "both"}), frozenset({"none"})),
    "face_count": ("faces", frozenset({"0", "2", "3", "4", "5"}), frozenset({"1"})),
}
# A warning-only check (jewelry) "flags" with warn; the others flag with fail.
FLAG_VERDICTS: dict[str, frozenset[str]] = {"jewelry": frozenset({"warn", "fail"})}
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass
class CheckStats:
    name: str
    labelled: bool
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: int = 0  # not assessed
    skipped: int = 0  # label unsure/missing
    wrong: list[str] = field(default_factory=list)  # files judged against their label
    ms: list[float] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def compliant(self) -> int:
        return self.tn + self.fp

    @property
    def false_reject_rate(self) -> float | None:
        return self.fp / self.compliant if self.compliant else None

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 4)  # noqa: E731
        return {
            "check": self.name, "labelled": self.labelled, "failing": self.tp + self.fn,
            "compliant": self.compliant, "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "precision": r(self.precision), "recall": r(self.recall), "f1": r(self.f1),
            "false_reject_rate": r(self.false_reject_rate), "not_assessed": self.errors,
            "median_ms": r(statistics.median(self.ms)) if self.ms else None, "wrong": self.wrong,
        }


@dataclass
class EvalResult:
    checks: dict[str, CheckStats]
    latencies: list[float]
    photos: int
    errors: list[str]  # files that could not be checked at all
    profile: str

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.latencies, 95) if self.latencies else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile, "photos": self.photos, "unreadable": self.errors,
            "latency_ms": {"median": _r1(self.median_ms), "p95": _r1(self.p95_ms)},
            "checks": {k: v.to_dict() for k, v in self.checks.items()},
        }


def _r1(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        raise ValueError("no values")
    k = (len(s) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def read_labels(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "file" not in reader.fieldnames:
            raise ValueError(f"{path}: the labels CSV needs a 'file' column")
        return {row["file"].strip(): {k: (v or "").strip().lower() for k, v in row.items()} for row in reader}


def evaluate(folder: Path, labels_csv: Path | None, checker: Any, *, progress: Any = None) -> EvalResult:
    labels = read_labels(labels_csv) if labels_csv else {}
    if labels:
        files = [(name, folder / name) for name in sorted(labels)]
    else:
        files = [(p.name, p) for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_EXTS]
    columns = set(next(iter(labels.values())).keys()) if labels else set()
    stats = {n: CheckStats(n, labelled=n in LABELS and LABELS[n][0] in columns) for n in checker.names}
    latencies: list[float] = []
    unreadable: list[str] = []
    for i, (name, path) in enumerate(files):
        if not path.exists():
            unreadable.append(f"{name}: missing")
            continue
        t = time.perf_counter()
        report = checker.check_path(path)
        latencies.append((time.perf_counter() - t) * 1000)
        if progress:
            progress(i + 1, len(files), name, report)
        if report.verdict == "error":
            unreadable.append(f"{name}: {report.error_en or report.error}")
            continue
        row = labels.get(name, {})
        for n, st in stats.items():
            res = report.checks.get(n)
            if res is None:
                continue
            if f"check.{n}" in report.timings:
                st.ms.append(report.timings[f"check.{n}"])
            if res.verdict == "error":
                st.errors += 1
            flagged = res.verdict in FLAG_VERDICTS.get(n, frozenset({"fail"}))
            if st.labelled:
                col, bad, good = LABELS[n]
                value = row.get(col, "")
                if value in bad:
                    if flagged:
                        st.tp += 1
                    else:
                        st.fn += 1
                        st.wrong.append(name)
                elif value in good:
                    if flagged:
                        st.fp += 1
                        st.wrong.append(name)
                    else:
                        st.tn += 1
                else:
                    st.skipped += 1
            else:
                if flagged:
                    st.fp += 1
                    st.wrong.append(name)
                else:
                    st.tn += 1
    return EvalResult(stats, latencies, len(files), unreadable, checker.profile.name)


def format_table(result: EvalResult, *, show_wrong: bool = False) -> str:
    def f(v: float | None, pct: bool = False) -> str:
        if v is None:
            return "—"
        return f"{v * 100:.1f}%" if pct else f"{v:.3f}"

    lines = [
        f"profile {result.profile}: {result.photos} photos, {len(result.errors)} unreadable",
        f"latency per photo: median {_fmt_ms(result.median_ms)}, p95 {_fmt_ms(result.p95_ms)} (decode included)",
        "",
        f"{'check':<18}{'failing':>8}{'compl.':>8}{'prec.':>8}{'recall':>8}{'F1':>8}{'FRR':>8}{'n/a':>6}{'ms':>7}",
    ]
    for st in result.checks.values():
        failing = str(st.tp + st.fn) if st.labelled else "—"
        ms = f"{statistics.median(st.ms):.1f}" if st.ms else "—"
        lines.append(
            f"{st.name:<18}{failing:>8}{st.compliant:>8}{f(st.precision):>8}{f(st.recall):>8}{f(st.f1):>8}"
            f"{f(st.false_reject_rate, True):>8}{st.errors:>6}{ms:>7}"
        )
    lines.append("")
    lines.append("failing = photos the labels say break the rule; FRR = compliant photos rejected; "
                 "n/a = not assessed; a check without a label column counts every photo as compliant")
    if show_wrong:
        for st in result.checks.values():
            if st.wrong:
                lines.append(f"{st.name}: {', '.join(st.wrong)}")
    for e in result.errors:
        lines.append(f"unreadable: {e}")
    return "\n".join(lines)


def _fmt_ms(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f} ms"
