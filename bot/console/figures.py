"""Before/after matching figures on the held-out sets, for a draft about to be published."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from bot.console.snapshot import Files, load_files
from bot.matching.evaluate import Report, evaluate, read_cases
from bot.matching.index import FaqIndex

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SETS = ("tests/data/*.tsv", "../shared/eval/dev.tsv")
# name, label shown, True when higher is better
METRICS = (
    ("accuracy", "Trả lời đúng", True),
    ("answered_or_offered", "Trả lời đúng hoặc gợi ý đúng", True),
    ("confidently_wrong", "Trả lời sai", False),
    ("declined_share", "Từ chối câu ngoài phạm vi", True),
)


def eval_paths(setting: str, root: Path = PROJECT_ROOT) -> list[Path]:
    """Return the held-out TSV files: CONSOLE_EVAL_FILES, or the project's own sets."""
    patterns = [p.strip() for p in setting.split(",") if p.strip()] or list(DEFAULT_SETS)
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_absolute():
            found.extend(sorted(path.parent.glob(path.name)))
        else:
            found.extend(sorted(root.glob(pattern)) if "*" in pattern else [root / path])
    return [p.resolve() for p in found if p.is_file()]


@dataclass(frozen=True)
class Figure:
    """One metric on one set, before and after."""

    set_name: str
    metric: str
    label: str
    before: float
    after: float
    higher_is_better: bool

    @property
    def worse(self) -> bool:
        """Return whether the draft makes this figure worse."""
        return self.after < self.before if self.higher_is_better else self.after > self.before


def _figures(name: str, before: Report, after: Report) -> list[Figure]:
    """Return the compared metrics of one set."""
    return [
        Figure(name, metric, label, getattr(before, metric), getattr(after, metric), higher)
        for metric, label, higher in METRICS
    ]


def compare(before: Files, after: Files, paths: list[Path]) -> list[Figure]:
    """Measure the matcher built from each snapshot on every held-out set."""
    old = FaqIndex.from_content(load_files(before))
    new = FaqIndex.from_content(load_files(after))
    result: list[Figure] = []
    for path in paths:
        cases = read_cases(path)
        result.extend(_figures(path.name, evaluate(old, cases), evaluate(new, cases)))
    return result


def as_record(figures: list[Figure]) -> dict[str, object]:
    """Return figures as JSON-ready data to keep with a published version."""
    return {"figures": [{**asdict(f), "worse": f.worse} for f in figures]}
