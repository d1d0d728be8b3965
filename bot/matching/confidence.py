"""The calibrated decision: the probability that the best entry is right, and its cuts."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# What the matcher knows about one question, in the order the fitted weights use.
FEATURES = (
    "score",  # the best entry's score / 100
    "margin",  # its lead over the runner-up / 100
    "margin3",  # its lead over the third / 100
    "anchored",  # 1 when the question uses one of the entry's key terms
    "length",  # log(1 + words) / 4
    "split",  # 1 when the question part and the whole message put different entries first
    "agree",  # 1 when the question part puts the best entry first too (or there is none)
    "decoy",  # the best out-of-scope theme's score / 100
    "decoy_lead",  # how far that theme beats the best entry / 100 (0 when it does not)
    "unknown",  # share of the question's weight on words no entry uses
    "margin_share",  # the lead over the runner-up as a share of the best score
    "decoy_share",  # the best theme's score as a share of the best entry's (at most 2)
)
# Added by the optional semantic stage (bot/matching/semantic.py) for uncertain questions.
SEMANTIC_FEATURES = (
    "semantic_agrees",  # 1 when the lexical best is also the semantic best of the candidates
    "semantic_lead",  # its cosine lead over the best other candidate
)


@dataclass(frozen=True)
class Logistic:
    """A logistic regression over standardised features."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def __call__(self, features: list[float]) -> float:
        """Return the probability for one feature vector."""
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True)
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self, names: tuple[str, ...] = FEATURES) -> dict[str, object]:
        """Return the model as JSON-ready data."""
        return {
            "weights": dict(zip(names, self.weights, strict=True)),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
        }

    @classmethod
    def from_dict(cls, data: dict, names: tuple[str, ...] = FEATURES) -> Logistic:
        """Read a model written by to_dict."""
        weights = data["weights"]
        return cls(
            tuple(float(weights[name]) for name in names),
            float(data["bias"]),
            tuple(map(float, data["mean"])),
            tuple(map(float, data["scale"])),
        )


@dataclass(frozen=True)
class Calibration:
    """Two fitted probabilities and the cuts chosen on them by cross-validation.

    `answer` estimates that the best entry is right: at or above `answer_cut` it is
    answered, below `sure_cut` with the two runners-up offered beside it. `offer` estimates
    that a right entry is among the candidates: at or above `clarify_cut` they are offered,
    below it the bot declines. `semantic`, fitted with the semantic features too, decides
    instead for a question below the sure cut when the semantic stage runs.
    """

    answer: Logistic
    offer: Logistic
    answer_cut: float
    sure_cut: float
    clarify_cut: float
    semantic: Calibration | None = None

    @classmethod
    def from_dict(cls, data: dict, names: tuple[str, ...] = FEATURES) -> Calibration:
        """Read the models and cuts (and the semantic ones, if fitted)."""
        cuts = data["cuts"]
        extra = data.get("semantic")
        return cls(
            Logistic.from_dict(data["answer"], names),
            Logistic.from_dict(data["offer"], names),
            float(cuts["answer"]),
            float(cuts["sure"]),
            float(cuts["clarify"]),
            cls.from_dict(extra, FEATURES + SEMANTIC_FEATURES) if extra else None,
        )

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        """Read the committed calibration file."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
