"""Rank FAQ entries for a question and decide: answer, clarify or fall back."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.content.faq import FaqEntry
from bot.matching.normalize import Normalized, Normalizer, fold

if TYPE_CHECKING:
    from bot.content.loader import Content

ANSWER_SCORE = 40.0  # at or above this (with a clear margin) the best entry is answered
CLARIFY_SCORE = 24.0  # between this and ANSWER_SCORE the best entries are offered
MIN_MARGIN = 8.0  # a best entry closer than this to the runner-up is not answered outright
MAX_CANDIDATES = 3
DECOY_PREFIX = "oos:"  # owner key of an out-of-scope theme (FAQ ids cannot contain ":")
DECOY_MARGIN = 2.0  # a decoy scoring at least the best entry's score minus this: decline
UNKNOWN_WORD_WEIGHT = 2.5  # a word no entry uses weighs like a rare word: it may be off-topic
ENTRY_SHARE = 0.35  # weight of whole-entry coverage of the question
PHRASING_SHARE = 0.35  # weight of the best single phrasing (F1 of the shared IDF weight)
# The rest goes to the cosine with the entry's profile, which favours its core words.
UNKNOWN_PAIR_WEIGHT = 0.3  # two known words side by side that no entry uses together
ACCENT_CONFLICT = 0.5  # share of a word's weight lost when typed with other accents (phí/phi)
MIN_POSTING_WEIGHT = 0.1  # terms weighing less are not looked up (they barely move scores)
RESCORED = 16  # entries whose best phrasing fits best are scored in full
ANCHORS = 30  # an entry's most characteristic terms; a question using none is not answered
LONG_MESSAGE_WORDS = 12  # a message this long is also matched on its last clauses
TAIL_MIN_WORDS = 8  # the last clauses taken together have at least this many words
TAIL_FACTOR = 1.0  # a score found on the last clauses only counts this much
# A long story dilutes every entry's score, so a long message whose best entry still stands
# clearly apart from the runner-up (by a share of its own score) is answered lower down.
LONG_ANSWER_WORDS = 20  # a message this long may be answered on the rule below
LONG_ANSWER_SCORE = 35.0  # ... when its best entry scores at least this
LONG_MIN_SHARE = 0.2  # ... and leads the runner-up by at least this share of its score
NUMBER_WEIGHT = 0.5  # an unknown number (an age, a year) says little about the topic
FUNCTION_WEIGHT = 0.2  # share of its IDF kept by a function word (question words, pronouns)
# Folded function words: with few entries IDF alone cannot tell they carry no topic.
FUNCTION_WORDS = frozenset(
    "la gi co khong duoc cho o dau nao sao the nhu thi ma va voi cua ve tu den toi minh em "
    "anh chi ban ai may bao nhieu a roi cung nay do kia nhung cac mot hay hoac neu khi de bi "
    "da dang se muon can phai biet giup nhieu lam qua rat nua chua luon thoi day ne vay ha "
    "nhe oi gio hien nay bay con cai vu chuyen chau no ong ay".split()
)


_CLAUSE_BREAK = re.compile(r"[,.;:!?\n]+|\s(?:mà|nhưng|vậy thì|thì)\s")


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
    anchored: bool = field(default=True, compare=False)  # uses one of the entry's key terms


@dataclass(frozen=True)
class MatchResult:
    """The decision for one question."""

    status: Status
    id: str | None
    score: float
    candidates: tuple[Candidate, ...]
    normalized: str
    declined: str | None = None  # the out-of-scope theme that made the bot decline


def terms(folded: str) -> set[str]:
    """Return the syllable unigrams and bigrams of a folded text."""
    tokens = folded.split()
    return set(tokens) | {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}


@dataclass(frozen=True)
class _Phrasing:
    owner: str
    terms: frozenset[str]
    weight: float


class FaqIndex:
    """Precomputed phrasings of all entries, ready to be matched against."""

    def __init__(
        self,
        entries: dict[str, FaqEntry],
        abbreviations: dict[str, str],
        decoys: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Index the entries' phrasings and the out-of-scope decoys (theme id -> phrasings)."""
        self.abbreviations = abbreviations
        owned = {e.id: (e.question, *e.phrasings) for e in entries.values()}
        owned |= {DECOY_PREFIX + theme: tuple(texts) for theme, texts in (decoys or {}).items()}
        texts = [
            t for e in entries.values() for t in (e.question, *e.phrasings, e.answer, e.details)
        ]
        texts += [t for theme in (decoys or {}).values() for t in theme]
        self.normalizer = Normalizer(abbreviations, texts)
        entry_terms: dict[str, set[str]] = defaultdict(set)
        self._accented: dict[str, set[str]] = defaultdict(set)
        raw: list[tuple[str, set[str]]] = []
        for owner, phrasings in owned.items():
            for text in phrasings:
                normalized = self.normalizer(text)
                found = terms(normalized.folded)
                self._accented[owner].update(normalized.accented.split())
                if found:
                    raw.append((owner, found))
                    entry_terms[owner] |= found
        # Word rarity is measured on the real entries only, so decoys leave their scores as
        # they were; a word only decoys use weighs what an unknown word weighs.
        real = {o: found for o, found in entry_terms.items() if not o.startswith(DECOY_PREFIX)}
        count = len(real) or 1
        df: dict[str, int] = defaultdict(int)
        for found in real.values():
            for term in found:
                df[term] += 1
        self._idf = {
            t: math.log((count + 1) / (n + 0.5)) * (FUNCTION_WEIGHT if t in FUNCTION_WORDS else 1)
            for t, n in df.items()
        }
        for found in entry_terms.values():
            for term in found - self._idf.keys():
                self._idf[term] = self._weight(term)
        self._profiles = _profiles(raw, self._idf)
        self._anchors = {
            owner: frozenset(sorted(profile, key=lambda t: -profile[t])[:ANCHORS])
            for owner, (profile, _norm) in self._profiles.items()
        }
        self._phrasings = [
            _Phrasing(owner, frozenset(found), sum(self._idf[t] for t in found))
            for owner, found in raw
        ]
        self._postings: dict[str, list[int]] = defaultdict(list)
        for position, phrasing in enumerate(self._phrasings):
            for term in phrasing.terms:
                self._postings[term].append(position)

    @classmethod
    def from_content(cls, content: Content) -> FaqIndex:
        """Build the index from loaded content: the FAQ and the out-of-scope themes."""
        themes = content.sections.get("out_of_scope", {})
        return cls(
            content.faq, content.abbreviations, {t.id: t.phrasings for t in themes.values()}
        )

    def normalize(self, question: str) -> Normalized:
        """Return the question normalised as the index sees it."""
        return self.normalizer(question)

    def _weight(self, term: str) -> float:
        """Return how much a query term counts: rare terms most, unknown words a lot."""
        if term in self._idf:
            return self._idf[term]
        if " " in term:
            return 0.0 if any(w in FUNCTION_WORDS for w in term.split()) else UNKNOWN_PAIR_WEIGHT
        if term in FUNCTION_WORDS:
            return 0.0
        return NUMBER_WEIGHT if term.isdigit() else UNKNOWN_WORD_WEIGHT

    def rank(self, question: str) -> tuple[str, list[Candidate]]:
        """Return the normalised question and entries best first."""
        normalized, ranked, _split = self._rank_with_tail(question)
        return normalized, ranked

    def _rank_with_tail(self, question: str) -> tuple[str, list[Candidate], bool]:
        """Return the normalised question, entries best first, and whether the tail disagrees.

        A long message is also matched on its last clauses, where citizens usually put the
        question after the story; each entry keeps its better score. Decoys count on the tail
        only when the whole message would be declined: a few words of a short last clause say
        too little to decline on, but a tail must not overturn the decline that the whole
        message earned unless it fits an entry better than the theme there too. The tail
        disagrees when it puts another entry first than the whole message does: the story
        then holds words (Việt kiều, bot) that the last clauses alone miss.
        """
        normalized, ranked = self._rank_normalized(self.normalize(question))
        tail = _tail(question)
        if tail is None:
            return normalized, ranked, False
        _, tail_ranked = self._rank_normalized(self.normalize(tail))
        merged = {c.id: c for c in ranked}
        real = tuple(c for c in ranked if not c.id.startswith(DECOY_PREFIX))
        declined_whole = _declined(ranked, real[:1]) is not None
        for candidate in tail_ranked:
            if candidate.id.startswith(DECOY_PREFIX) and not declined_whole:
                continue
            score = round(candidate.score * TAIL_FACTOR, 1)
            if candidate.id not in merged or score > merged[candidate.id].score:
                merged[candidate.id] = Candidate(candidate.id, score, candidate.anchored)
        result = sorted(merged.values(), key=_by_score)
        best = next((c.id for c in result if not c.id.startswith(DECOY_PREFIX)), None)
        return normalized, result, bool(real) and best != real[0].id

    def _rank_normalized(self, normalized: Normalized) -> tuple[str, list[Candidate]]:
        """Rank the entries for one normalised text."""
        weights = {t: self._weight(t) for t in terms(normalized.folded)}
        total = sum(weights.values())
        if total <= 0:
            return normalized.accented, []
        length = math.sqrt(sum(w * w for w in weights.values()))
        typed = {fold(w): w for w in normalized.accented.split() if fold(w) != w}
        overlap: dict[int, float] = defaultdict(float)
        for term in weights:
            weight = self._idf.get(term, 0.0)
            if weight < MIN_POSTING_WEIGHT:
                continue  # words in nearly every phrasing would cost time and change nothing
            for position in self._postings.get(term, ()):
                overlap[position] += weight
        best: dict[str, float] = {}
        for position, shared in overlap.items():
            phrasing = self._phrasings[position]
            recall = shared / phrasing.weight if phrasing.weight else 0.0
            precision = shared / total
            fit = 2 * recall * precision / (recall + precision) if shared else 0.0
            if fit > best.get(phrasing.owner, -1.0):
                best[phrasing.owner] = fit
        scored = []
        core = 1 - ENTRY_SHARE - PHRASING_SHARE
        shortlist = sorted(best.items(), key=lambda item: -item[1])[:RESCORED]
        for owner, fit in shortlist:
            profile, norm = self._profiles[owner]
            covered = dot = 0.0
            for term, weight in weights.items():
                share = profile.get(term)
                if share is not None:
                    covered += weight
                    dot += weight * share
            accented = self._accented[owner]
            conflict = sum(
                weights.get(key, 0.0)
                for key, word in typed.items()
                if key in profile and word not in accented
            )
            covered -= ACCENT_CONFLICT * min(conflict, covered)
            score = ENTRY_SHARE * covered / total + PHRASING_SHARE * fit
            score += core * dot / (norm * length)
            anchored = not self._anchors[owner].isdisjoint(weights)
            scored.append(Candidate(owner, round(100 * score, 1), anchored))
        return normalized.accented, sorted(scored, key=_by_score)

    def match(self, question: str) -> MatchResult:
        """Decide how to reply to one question."""
        query, ranked, split = self._rank_with_tail(question)
        top = tuple(c for c in ranked if not c.id.startswith(DECOY_PREFIX))[:MAX_CANDIDATES]
        declined = _declined(ranked, top)
        if declined or not top or top[0].score < CLARIFY_SCORE:
            best = top[0].score if top else 0.0
            return MatchResult(Status.FALLBACK, None, best, top, query, declined)
        margin = top[0].score - (top[1].score if len(top) > 1 else 0.0)
        confident = top[0].score >= ANSWER_SCORE and margin >= MIN_MARGIN
        if len(question.split()) >= LONG_ANSWER_WORDS and top[0].score >= LONG_ANSWER_SCORE:
            confident = confident or margin >= LONG_MIN_SHARE * top[0].score
        if confident and top[0].anchored and not split:
            return MatchResult(Status.ANSWER, top[0].id, top[0].score, top, query)
        return MatchResult(Status.CLARIFY, None, top[0].score, top, query)


def _declined(ranked: list[Candidate], top: tuple[Candidate, ...]) -> str | None:
    """Return the out-of-scope theme fitting about as well as the best entry, if any."""
    decoy = next((c for c in ranked if c.id.startswith(DECOY_PREFIX)), None)
    if decoy is None or decoy.score < CLARIFY_SCORE:
        return None
    if top and decoy.score < top[0].score - DECOY_MARGIN:
        return None
    return decoy.id.removeprefix(DECOY_PREFIX)


def _tail(question: str) -> str | None:
    """Return the last clauses of a long message (at least TAIL_MIN_WORDS words), or None."""
    clauses = [c for c in _CLAUSE_BREAK.split(question) if c.strip()]
    if len(question.split()) < LONG_MESSAGE_WORDS or len(clauses) < 2:
        return None
    tail: list[str] = []
    while clauses and sum(len(c.split()) for c in tail) < TAIL_MIN_WORDS:
        tail.insert(0, clauses.pop())
    return " ".join(tail) if clauses else None


def _profiles(
    raw: list[tuple[str, set[str]]], idf: dict[str, float]
) -> dict[str, tuple[dict[str, float], float]]:
    """Return each entry's term profile (share of its phrasings using a term × IDF) and norm."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sizes: dict[str, int] = defaultdict(int)
    for owner, found in raw:
        sizes[owner] += 1
        for term in found:
            counts[owner][term] += 1
    profiles = {}
    for owner, terms_used in counts.items():
        profile = {t: n / sizes[owner] * idf[t] for t, n in terms_used.items()}
        profiles[owner] = (profile, math.sqrt(sum(v * v for v in profile.values())) or 1.0)
    return profiles


def _by_score(candidate: Candidate) -> tuple[float, str]:
    """Sort key: highest score first, then id for a stable order."""
    return (-candidate.score, candidate.id)
