"""Measure the matcher on a labelled TSV file (question, expected ids or `-`, optional style)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.matching.actions import ACTIONS
from bot.matching.index import FaqIndex, MatchResult, Status

OUT_OF_SCOPE = "-"
BINS = 10  # the reliability curve's probability bins


@dataclass(frozen=True)
class Case:
    """One labelled question; an empty `expected` means out of scope."""

    question: str
    expected: frozenset[str]
    style: str = ""  # the optional third column: how the question is written
    source: str = ""  # the file it was read from


@dataclass
class Report:
    """Counts of each outcome, the misses and the latencies in milliseconds."""

    in_scope: int = 0
    right: int = 0
    rescued: int = 0
    wrong: int = 0
    out_of_scope: int = 0
    declined: int = 0
    actions: int = 0  # questions answered by offering an action (stop notices, staff…)
    misses: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    # (calibrated probability, the best entry is right) of each question the matcher weighed
    confidences: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Share of in-scope questions answered with an expected entry."""
        return self.right / self.in_scope if self.in_scope else 1.0

    @property
    def answered_or_offered(self) -> float:
        """Share of in-scope questions answered right or offered among the clarify buttons."""
        return (self.right + self.rescued) / self.in_scope if self.in_scope else 1.0

    @property
    def confidently_wrong(self) -> float:
        """Share of in-scope questions answered with a wrong entry."""
        return self.wrong / self.in_scope if self.in_scope else 0.0

    @property
    def declined_share(self) -> float:
        """Share of out-of-scope questions not answered."""
        return self.declined / self.out_of_scope if self.out_of_scope else 1.0

    def curve(self) -> list[dict[str, object]]:
        """Return the reliability curve of the calibrated probabilities (see reliability)."""
        return reliability(self.confidences)

    def percentile(self, share: float) -> float:
        """Return a latency percentile in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def summary(self) -> str:
        """Return the one-line summary."""
        n = self.in_scope
        return (
            f"answer accuracy {self.accuracy:.3f} ({self.right}/{n}) | "
            f"rescued by clarify {self.rescued / n if n else 0:.3f} ({self.rescued}/{n}) | "
            f"answered or offered {self.answered_or_offered:.3f} | "
            f"confidently wrong {self.confidently_wrong:.3f} ({self.wrong}/{n}) | "
            f"out-of-scope declined {self.declined_share:.3f} "
            f"({self.declined}/{self.out_of_scope}) | actions {self.actions} | "
            f"latency p50 {self.percentile(0.5):.2f} ms p99 {self.percentile(0.99):.2f} ms"
        )


def reliability(pairs: list[tuple[float, bool]]) -> list[dict[str, object]]:
    """Return, per probability bin, the count, mean probability and observed rate of right."""
    rows: list[dict[str, object]] = []
    for b in range(BINS):
        low, high = b / BINS, (b + 1) / BINS
        inside = [(p, r) for p, r in pairs if low <= p < high or (p == 1 and high == 1)]
        if inside:
            rows.append(
                {
                    "bin": f"{low:.1f}-{high:.1f}",
                    "n": len(inside),
                    "predicted": round(sum(p for p, _ in inside) / len(inside), 3),
                    "observed": round(sum(r for _, r in inside) / len(inside), 3),
                }
            )
    return rows


def read_cases(path: Path | str) -> list[Case]:
    """Read a TSV with a header row `question<TAB>expected[<TAB>style]`."""
    cases = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        question, _, rest = line.partition("\t")
        expected, _, style = rest.partition("\t")
        if not expected.strip():
            raise ValueError(f"{path}:{number}: expected a tab and an id (or -)")
        ids = {i.strip() for i in expected.split(",") if i.strip() and i.strip() != OUT_OF_SCOPE}
        cases.append(Case(question, frozenset(ids), style.strip(), Path(path).name))
    return cases


def _describe(result: MatchResult) -> str:
    """Return the decision and candidates in a short form for a miss line."""
    shown = ", ".join(f"{c.id} {c.score:.0f}" for c in result.candidates)
    chosen = result.action if result.status is Status.ACTION else result.id
    return f"{result.status} {chosen or ''} [{shown}]"


def answered_ids(result: MatchResult) -> frozenset[str]:
    """Return the entries a reply answers with: its entry, or those its action stands for."""
    if result.status is Status.ACTION and result.action in ACTIONS:
        return frozenset(ACTIONS[result.action].entries)
    if result.status is Status.ANSWER and result.id is not None:
        return frozenset({result.id})
    return frozenset()


def by_style(index: FaqIndex, cases: list[Case]) -> dict[str, Report]:
    """Return one report per style named in the cases (none when no case names one)."""
    styles = sorted({case.style for case in cases if case.style})
    return {s: evaluate(index, [c for c in cases if c.style == s]) for s in styles}


def evaluate(index: FaqIndex, cases: list[Case]) -> Report:
    """Match every case and count the outcomes."""
    report = Report()
    for case in cases:
        started = time.perf_counter()
        result = index.match(case.question)
        report.latencies.append((time.perf_counter() - started) * 1000)
        answered = result.status in (Status.ANSWER, Status.ACTION)
        report.actions += result.status is Status.ACTION
        if result.status is not Status.ACTION and result.candidates and result.confidence:
            top_right = result.candidates[0].id in case.expected
            report.confidences.append((result.confidence, top_right))
        if not case.expected:
            report.out_of_scope += 1
            report.declined += not answered
            if answered:
                report.misses.append(
                    f"ANSWERED OUT OF SCOPE\t{case.question}\t{_describe(result)}"
                )
            continue
        report.in_scope += 1
        wanted = ",".join(sorted(case.expected))
        if answered and answered_ids(result) & case.expected:
            report.right += 1
        elif answered:
            report.wrong += 1
            report.misses.append(f"WRONG ({wanted})\t{case.question}\t{_describe(result)}")
        else:
            offered = result.status is Status.CLARIFY and any(
                c.id in case.expected for c in result.candidates
            )
            report.rescued += offered
            label = "OFFERED" if offered else "MISSED"
            report.misses.append(f"{label} ({wanted})\t{case.question}\t{_describe(result)}")
    return report
