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
columns of ``../shared/faces/labels.csv``; optionally ``person`` (then ``--folds K``
reports every figure per person-disjoint fold, see :func:`person_folds`) and
``headwear``. "Fully compliant" photos are those whose every label says the rule
holds (white top, no glasses, brows and ears visible, no headwear): the share of
them failing any check is what a photographer would retake for nothing.
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
    flagged: dict[str, dict[str, bool]] = field(default_factory=dict)  # file -> check -> flagged
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.latencies) if self.latencies else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.latencies, 95) if self.latencies else None

    def compliant_files(self) -> list[str]:
        """Files whose every label column present says the rule holds."""
        out = []
        for name, row in self.labels.items():
            cols = [(c, good) for c, _bad, good in LABELS.values() if c in row and c != "jewelry" and c != "faces"]
            if "headwear" in row:
                cols.append(("headwear", frozenset({"no"})))
            if cols and all(row[c] in good for c, good in cols) and name in self.flagged:
                out.append(name)
        return out

    def compliant_failing(self, checks: list[str] | None = None) -> tuple[int, int]:
        """(fully compliant photos failing any of ``checks`` (default: all), fully compliant photos)."""
        files = self.compliant_files()
        bad = sum(1 for f in files if any(v for n, v in self.flagged[f].items()
                                          if (checks is None or n in checks) and n not in FLAG_VERDICTS))
        return bad, len(files)

    def to_dict(self) -> dict[str, Any]:
        bad, n = self.compliant_failing()
        return {
            "profile": self.profile, "photos": self.photos, "unreadable": self.errors,
            "latency_ms": {"median": _r1(self.median_ms), "p95": _r1(self.p95_ms)},
            "checks": {k: v.to_dict() for k, v in self.checks.items()},
            "fully_compliant": {"photos": n, "failing_any_check": bad},
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
    flagged_by_file: dict[str, dict[str, bool]] = {}
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
        flagged_by_file[name] = {}
        for n, st in stats.items():
            res = report.checks.get(n)
            if res is None:
                continue
            if f"check.{n}" in report.timings:
                st.ms.append(report.timings[f"check.{n}"])
            if res.verdict == "error":
                st.errors += 1
            flagged = res.verdict in FLAG_VERDICTS.get(n, frozenset({"fail"}))
            flagged_by_file[name][n] = flagged
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
    return EvalResult(stats, latencies, len(files), unreadable, checker.profile.name,
                      flagged=flagged_by_file, labels=labels)


def person_folds(labels: dict[str, dict[str, str]], k: int) -> dict[str, int]:
    """file -> fold 0..k-1, every person in exactly one fold (balanced by photo count, deterministic).

    Without a ``person`` column every file is its own person.
    """
    counts: dict[str, int] = {}
    for name, row in labels.items():
        p = row.get("person") or name
        counts[p] = counts.get(p, 0) + 1
    sizes = [0] * k
    fold_of: dict[str, int] = {}
    for p in sorted(counts, key=lambda q: (-counts[q], q)):
        f = min(range(k), key=lambda i: (sizes[i], i))
        fold_of[p] = f
        sizes[f] += counts[p]
    return {name: fold_of[row.get("person") or name] for name, row in labels.items()}


def fold_stats(result: EvalResult, k: int) -> list[dict[str, CheckStats]]:
    """The labelled checks' counts recomputed per person-disjoint fold."""
    folds = person_folds(result.labels, k)
    out: list[dict[str, CheckStats]] = [{} for _ in range(k)]
    for name, flags in result.flagged.items():
        row = result.labels.get(name, {})
        f = folds.get(name)
        if f is None:
            continue
        for n, flagged in flags.items():
            if n not in LABELS or LABELS[n][0] not in row:
                continue
            st = out[f].setdefault(n, CheckStats(n, labelled=True))
            col, bad, good = LABELS[n]
            if row[col] in bad:
                if flagged:
                    st.tp += 1
                else:
                    st.fn += 1
            elif row[col] in good:
                if flagged:
                    st.fp += 1
                else:
                    st.tn += 1
    return out


def format_folds(result: EvalResult, k: int) -> str:
    def f(v: float | None, pct: bool = False) -> str:
        if v is None:
            return "—"
        return f"{v * 100:.1f}%" if pct else f"{v:.3f}"

    per = fold_stats(result, k)
    names = [n for n in result.checks if any(n in d for d in per)]
    lines = [f"person-disjoint folds (k={k}): F1 of the failing class / false-reject rate per fold"]
    lines.append(f"{'check':<18}" + "".join(f"{'fold ' + str(i):>16}" for i in range(k)))
    for n in names:
        cells = []
        for d in per:
            st = d.get(n)
            cell = f(st.f1 if st else None) + " / " + f(st.false_reject_rate if st else None, True)
            cells.append(f"{cell:>16}")
        lines.append(f"{n:<18}" + "".join(cells))
    return "\n".join(lines)


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
    bad, n = result.compliant_failing()
    if n:
        lines.append(f"fully compliant photos (every label says the rule holds): {n}, "
                     f"failing any check: {bad} ({bad / n * 100:.1f}%)")
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
