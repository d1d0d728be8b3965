"""Fit the decision's probabilities on labelled questions, offline, with cross-validation."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

from bot.matching.confidence import (
    CALIBRATION_FILE,
    FEATURES,
    SEMANTIC_FEATURES,
    Calibration,
    Logistic,
)
from bot.matching.evaluate import Case, reliability
from bot.matching.index import FaqIndex
from bot.matching.semantic import Semantic
from bot.matching.semantic import features as semantic_features

FOLDS = 5
L2 = 1.0  # ridge penalty on the standardised weights (not the bias)
WRONG_MAX = 0.02  # cross-validated share of in-scope questions answered wrongly, at most
# ... and on each labelled file alone: a cut that is fine pooled may not be on one style.
WRONG_MAX_PER_SET = 0.03
OOS_ANSWERED_MAX = 0.04  # cross-validated share of out-of-scope questions answered, at most
WRONG_COST = 1.5  # a wrong answer costs this many right ones when choosing the answer cut
SURE_PRECISION = 0.99  # above the sure cut, answers are right this often (no alternatives)
_ZERO = Logistic((0.0,) * len(FEATURES), 0.0, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES))
NEUTRAL = Calibration(_ZERO, _ZERO, 1.0, 1.0, 1.0)  # for ranking while fitting


@dataclass(frozen=True)
class Sample:
    """One labelled question as the decision sees it."""

    features: list[float]
    in_scope: bool
    top_right: bool  # the best entry is an expected one
    offered_right: bool  # an expected entry is among the candidates
    source: str = ""  # the labelled file the question comes from


def samples(index: FaqIndex, cases: list[Case], semantic: Semantic | None = None) -> list[Sample]:
    """Return the features (with the semantic ones when given) and labels of every case."""
    result = []
    for case in cases:
        evidence = index.evidence(case.question)
        ids = [c.id for c in evidence.top]
        extra = (
            semantic_features(semantic.similarities(evidence.normalized, ids, index.word_weight))
            if semantic
            else []
        )
        result.append(
            Sample(
                evidence.features() + extra,
                bool(case.expected),
                bool(ids) and ids[0] in case.expected,
                any(i in case.expected for i in ids),
                case.source,
            )
        )
    return result


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve a small linear system by Gaussian elimination with partial pivoting."""
    size = len(vector)
    rows = [row[:] + [value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, size):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, size + 1):
                rows[r][c] -= factor * rows[col][c]
    solution = [0.0] * size
    for r in range(size - 1, -1, -1):
        tail = sum(rows[r][c] * solution[c] for c in range(r + 1, size))
        solution[r] = (rows[r][size] - tail) / rows[r][r]
    return solution


def fit(xs: list[list[float]], ys: list[bool], rounds: int = 25) -> Logistic:
    """Fit a ridge logistic regression by Newton's method on standardised features."""
    width = len(xs[0])
    mean = [sum(x[i] for x in xs) / len(xs) for i in range(width)]
    scale = [
        math.sqrt(sum((x[i] - mean[i]) ** 2 for x in xs) / len(xs)) or 1.0 for i in range(width)
    ]
    rows = [[1.0] + [(x[i] - mean[i]) / scale[i] for i in range(width)] for x in xs]
    beta = [0.0] * (width + 1)
    for _ in range(rounds):
        gradient = [0.0] * (width + 1)
        hessian = [[0.0] * (width + 1) for _ in range(width + 1)]
        for row, label in zip(rows, ys, strict=True):
            z = max(-30.0, min(30.0, sum(b * v for b, v in zip(beta, row, strict=True))))
            p = 1 / (1 + math.exp(-z))
            for i in range(width + 1):
                gradient[i] += (p - label) * row[i]
                for j in range(i, width + 1):
                    hessian[i][j] += p * (1 - p) * row[i] * row[j]
        for i in range(1, width + 1):
            gradient[i] += L2 * beta[i]
            hessian[i][i] += L2
        for i in range(width + 1):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
        step = _solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return Logistic(tuple(beta[1:]), beta[0], tuple(mean), tuple(scale))


def cross_validated(data: list[Sample], seed: int = 20) -> list[tuple[float, float]]:
    """Return each sample's (answer, offer) probability from a model fitted without it."""
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    result: list[tuple[float, float]] = [(0.0, 0.0)] * len(data)
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        train = [s for i, s in enumerate(data) if i not in held]
        answer = fit([s.features for s in train], [s.top_right for s in train])
        offer = fit([s.features for s in train], [s.offered_right for s in train])
        for i in held:
            result[i] = (answer(data[i].features), offer(data[i].features))
    return result


def choose_cuts(data: list[Sample], probs: list[tuple[float, float]]) -> dict[str, float]:
    """Choose the answer, sure and clarify cuts on cross-validated probabilities."""
    in_scope = sum(s.in_scope for s in data) or 1
    oos = sum(not s.in_scope for s in data) or 1
    best_cut, best_gain = 0.99, -math.inf
    for cut in [c / 100 for c in range(30, 100)]:
        answered = [s for s, (p, _) in zip(data, probs, strict=True) if p >= cut]
        wrong = sum(s.in_scope and not s.top_right for s in answered)
        oos_answered = sum(not s.in_scope for s in answered)
        gain = sum(s.top_right for s in answered) - WRONG_COST * (wrong + oos_answered)
        if (
            wrong / in_scope <= WRONG_MAX
            and oos_answered / oos <= OOS_ANSWERED_MAX
            and _each_set_within(data, answered)
        ):
            if gain > best_gain:
                best_cut, best_gain = cut, gain
    sure = 1.0
    for cut in [c / 100 for c in range(99, int(best_cut * 100) - 1, -1)]:
        answered = [s for s, (p, _) in zip(data, probs, strict=True) if p >= cut]
        if answered and sum(s.top_right for s in answered) / len(answered) < SURE_PRECISION:
            break
        sure = cut
    rest = [(s, o) for s, (p, o) in zip(data, probs, strict=True) if p < best_cut]
    clarify, best_gain = 0.5, -math.inf
    for cut in [c / 100 for c in range(5, 95)]:
        shown = [s for s, o in rest if o >= cut]
        gain = sum(s.offered_right for s in shown) - 0.5 * sum(not s.in_scope for s in shown)
        gain -= 0.2 * sum(s.in_scope and not s.offered_right for s in shown)
        if gain > best_gain:
            clarify, best_gain = cut, gain
    return {"answer": best_cut, "sure": max(sure, best_cut), "clarify": clarify}


def _each_set_within(data: list[Sample], answered: list[Sample]) -> bool:
    """Whether every source file's share of in-scope questions answered wrongly is small."""
    for source in {s.source for s in data}:
        asked = sum(s.in_scope for s in data if s.source == source)
        wrong = sum(s.in_scope and not s.top_right for s in answered if s.source == source)
        if asked and wrong / asked > WRONG_MAX_PER_SET:
            return False
    return True


def cv_summary(
    data: list[Sample], probs: list[tuple[float, float]], cuts: dict[str, float]
) -> dict[str, float]:
    """Return the cross-validated outcome shares at the chosen cuts."""
    in_scope = [(s, p, o) for s, (p, o) in zip(data, probs, strict=True) if s.in_scope]
    oos = [(s, p) for s, (p, _) in zip(data, probs, strict=True) if not s.in_scope]
    answered = [(s, p, o) for s, p, o in in_scope if p >= cuts["answer"]]
    offered = [s for s, p, o in in_scope if p < cuts["answer"] and o >= cuts["clarify"]]
    right = sum(s.top_right for s, _, _ in answered)
    n = len(in_scope) or 1
    return {
        "answered_right": round(right / n, 3),
        "answered_or_offered": round((right + sum(s.offered_right for s in offered)) / n, 3),
        "confidently_wrong": round((len(answered) - right) / n, 3),
        "oos_declined": round(sum(p < cuts["answer"] for _, p in oos) / (len(oos) or 1), 3),
    }


def reliability_of(data: list[Sample], probs: list[float]) -> list[dict[str, object]]:
    """Return the reliability curve of the samples' probabilities that the best entry is right."""
    return reliability([(p, s.top_right) for s, p in zip(data, probs, strict=True)])


def _fitted(data: list[Sample], names: tuple[str, ...]) -> dict[str, object]:
    """Fit both models, with cuts, outcomes and reliability from cross-validation."""
    probs = cross_validated(data)
    cuts = choose_cuts(data, probs)
    answer = fit([s.features for s in data], [s.top_right for s in data])
    offer = fit([s.features for s in data], [s.offered_right for s in data])
    return {
        "features": list(names),
        "answer": answer.to_dict(names),
        "offer": offer.to_dict(names),
        "cuts": cuts,
        "cv": cv_summary(data, probs, cuts),
        "reliability_cv": reliability_of(data, [p for p, _ in probs]),
    }


def calibrate(
    index: FaqIndex, cases: list[Case], sources: list[str], semantic: Semantic | None = None
) -> dict[str, object]:
    """Fit the decision on all cases (and its semantic variant when the stage is given)."""
    data = samples(index, cases)
    in_scope = sum(s.in_scope for s in data)
    result = _fitted(data, FEATURES)
    result["trained_on"] = sources
    result["cases"] = {"in_scope": in_scope, "out_of_scope": len(data) - in_scope}
    if semantic is not None:
        result["semantic"] = _fitted(samples(index, cases, semantic), FEATURES + SEMANTIC_FEATURES)
    return result


def write(result: dict[str, object], path: Path = CALIBRATION_FILE) -> Calibration:
    """Write the calibration file and return it loaded."""
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return Calibration.load(path)
