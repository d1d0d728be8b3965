"""Rank FAQ entries for a question and decide: answer, clarify or fall back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from bot.content.faq import FaqEntry
from bot.matching.normalize import normalize

ANSWER_SCORE = 82.0  # at or above this (with a clear margin) the best entry is answered
CLARIFY_SCORE = 70.0  # between this and ANSWER_SCORE the best entries are offered
MIN_MARGIN = 5.0  # a best entry closer than this to the runner-up is not answered outright
MAX_CANDIDATES = 3


class Status(StrEnum):
    """The matcher's decision."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Candidate:
    """An FAQ entry and its score (0-100)."""

    id: str
    score: float


@dataclass(frozen=True)
class MatchResult:
    """The decision for one question."""

    status: Status
    id: str | None
    score: float
    candidates: tuple[Candidate, ...]
    normalized: str


class FaqIndex:
    """Precomputed phrasings of all entries, ready to be matched against."""

    def __init__(self, entries: dict[str, FaqEntry], abbreviations: dict[str, str]) -> None:
        self.abbreviations = abbreviations
        self._owners: list[str] = []
        self._choices: list[str] = []
        for entry in entries.values():
            for text in (entry.question, *entry.phrasings):
                self._owners.append(entry.id)
                self._choices.append(normalize(text, abbreviations).folded)

    def rank(self, question: str) -> tuple[str, list[Candidate]]:
        """Return the normalised question and entries best first."""
        query = normalize(question, self.abbreviations).folded
        if not query:
            return query, []
        best: dict[str, float] = {}
        hits = process.extract(query, self._choices, scorer=_blend, limit=None, score_cutoff=30)
        for _choice, score, position in hits:
            owner = self._owners[position]
            best[owner] = max(best.get(owner, 0.0), float(score))
        ranked = sorted((Candidate(i, round(s, 1)) for i, s in best.items()), key=_by_score)
        return query, ranked

    def match(self, question: str) -> MatchResult:
        """Decide how to reply to one question."""
        query, ranked = self.rank(question)
        top = tuple(ranked[:MAX_CANDIDATES])
        if not top or top[0].score < CLARIFY_SCORE:
            return MatchResult(Status.FALLBACK, None, top[0].score if top else 0.0, top, query)
        margin = top[0].score - (top[1].score if len(top) > 1 else 0.0)
        if top[0].score >= ANSWER_SCORE and margin >= MIN_MARGIN:
            return MatchResult(Status.ANSWER, top[0].id, top[0].score, top, query)
        return MatchResult(Status.CLARIFY, None, top[0].score, top, query)


def _blend(query: str, choice: str, **_kwargs: object) -> float:
    """Average the word-set and word-order similarities."""
    return (fuzz.token_set_ratio(query, choice) + fuzz.token_sort_ratio(query, choice)) / 2


def _by_score(candidate: Candidate) -> tuple[float, str]:
    """Sort key: highest score first, then id for a stable order."""
    return (-candidate.score, candidate.id)
