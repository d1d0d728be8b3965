"""Rank FAQ entries for a question and decide: answer, clarify or fall back."""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.content.faq import FaqEntry
from bot.matching.actions import STAFF, asked_action
from bot.matching.confidence import Calibration
from bot.matching.normalize import Normalized, Normalizer, fold, nfc
from bot.matching.semantic import Semantic
from bot.matching.semantic import features as semantic_features
from bot.matching.story import question_part

if TYPE_CHECKING:
    from bot.content.loader import Content

MAX_CANDIDATES = 3
ALTERNATIVES = 2  # runners-up offered beside an answer that is likely but not certain
DECOY_PREFIX = "oos:"  # owner key of an out-of-scope theme (FAQ ids cannot contain ":")
DECOY_CLEAR = 10.0  # a theme beating the best entry by this much declines it outright
MIN_SCORE = 10.0  # below this the best entry is not even offered
OFFER_FLOOR = 35.0  # an entry this good is offered unless a theme fits at least as well
UNKNOWN_WORD_WEIGHT = 2.5  # a word no entry uses weighs like a rare word: it may be off-topic
ENTRY_SHARE = 0.35  # weight of whole-entry coverage of the question
PHRASING_SHARE = 0.35  # weight of the best single phrasing (F1 of the shared IDF weight)
# The rest goes to the cosine with the entry's profile, which favours its core words.
UNKNOWN_PAIR_WEIGHT = 0.3  # two known words side by side that no entry uses together
ACCENT_CONFLICT = 0.5  # share of a word's weight lost when typed with other accents (phí/phi)
MIN_POSTING_WEIGHT = 0.1  # terms weighing less are not looked up (they barely move scores)
# The semantic stage runs only where it changed decisions when measured on the tuning sets
# (tests/bench/bench_matching.py prints it): below this lexical probability it never
# turned a question into a right answer, and at or above the answer cut it changed none.
SEMANTIC_FLOOR = 0.2
RESCORED = 16  # entries whose best phrasing fits best are scored in full
ANCHORS = 30  # an entry's most characteristic terms (the "anchored" feature)
TAIL_FACTOR = 1.0  # a score found on the question part only counts this much
NUMBER_WEIGHT = 0.5  # an unknown number (an age, a year) says little about the topic
FUNCTION_WEIGHT = 0.2  # share of its IDF kept by a function word (question words, pronouns)
# Folded function words: with few entries IDF alone cannot tell they carry no topic.
FUNCTION_WORDS = frozenset(
    "la gi co khong duoc cho o dau nao sao the nhu thi ma va voi cua ve tu den toi minh em "
    "anh chi ban ai may bao nhieu a roi cung nay do kia nhung cac mot hay hoac neu khi de bi "
    "da dang se muon can phai biet giup nhieu lam qua rat nua chua luon thoi day ne vay ha "
    "nhe oi gio hien nay bay con cai vu chuyen chau no ong ay".split()
)


class Status(StrEnum):
    """The matcher's decision."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    ACTION = "action"  # the question asks for an action (stop notices, staff…): offer it


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
    confidence: float = 0.0  # the calibrated probability that the best entry is right
    alternatives: tuple[Candidate, ...] = ()  # runners-up shown beside an unsure answer
    action: str | None = None  # with ACTION: the command asked for (actions.ACTIONS)


@dataclass(frozen=True)
class Evidence:
    """What the ranking says about one question: the features the decision is fitted on."""

    normalized: str
    top: tuple[Candidate, ...]  # real entries, best first
    decoy: Candidate | None  # the best out-of-scope theme
    split: bool  # the question part puts another entry first than the whole message
    agree: bool  # the question part (if any) puts the best entry first
    words: int
    unknown: float  # share of the question's weight on words no entry uses

    def features(self) -> list[float]:
        """Return the feature vector in confidence.FEATURES order."""
        best = self.top[0].score if self.top else 0.0
        second = self.top[1].score if len(self.top) > 1 else 0.0
        third = self.top[2].score if len(self.top) > 2 else 0.0
        decoy = self.decoy.score if self.decoy else 0.0
        anchored = bool(self.top) and self.top[0].anchored
        return [
            best / 100,
            (best - second) / 100,
            (best - third) / 100,
            float(anchored),
            math.log1p(self.words) / 4,
            float(self.split),
            float(self.agree),
            decoy / 100,
            max(0.0, decoy - best) / 100,
            self.unknown,
            (best - second) / best if best else 0.0,
            min(2.0, decoy / best) if best else 2.0,
        ]


def southern(word: str) -> str:
    """Return the word with ngã written as hỏi: Southern speech (and its dictation) merges them."""
    return nfc(unicodedata.normalize("NFD", word).replace("\u0303", "\u0309"))


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
        calibration: Calibration | None = None,
        semantic: Semantic | None = None,
    ) -> None:
        """Index the entries' phrasings and the out-of-scope decoys (theme id -> phrasings)."""
        self.abbreviations = abbreviations
        self.calibration = calibration or Calibration.load()
        self.semantic = semantic  # the optional second stage for uncertain questions
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
                self._accented[owner].update(map(southern, normalized.accented.split()))
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
    def from_content(
        cls,
        content: Content,
        calibration: Calibration | None = None,
        semantic: Semantic | None = None,
    ) -> FaqIndex:
        """Build the index from loaded content: the FAQ and the out-of-scope themes."""
        themes = content.sections.get("out_of_scope", {})
        table = content.abbreviations | content.sections.get("glossary", {})
        decoys = {t.id: t.phrasings for t in themes.values()}
        return cls(content.faq, table, decoys, calibration, semantic)

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

    def word_weight(self, word: str) -> float:
        """Return how telling one word of a normalised question is (its folded weight)."""
        return self._weight(fold(word))

    def rank(self, question: str) -> tuple[str, list[Candidate]]:
        """Return the normalised question and entries (and decoys) best first."""
        normalized, ranked, _split, _agree = self._rank_with_question(question)
        return normalized, ranked

    def _rank_with_question(
        self, question: str, parsed: Normalized | None = None
    ) -> tuple[str, list[Candidate], bool, bool]:
        """Return the normalised question, entries best first, and how its parts agree.

        A long message is also matched on its question part (story.question_part), where
        citizens ask after telling their story; each entry keeps its better score. Decoys
        count on the question part only when the whole message would be declined: a few
        words say too little to decline on. `split`: the question part puts another entry
        first than the whole message; `agree`: it puts the merged best entry first.
        """
        whole = parsed if parsed is not None else self.normalize(question)
        normalized, ranked = self._rank_normalized(whole)
        asked = question_part(question)
        if asked is None:
            return normalized, ranked, False, True
        _, asked_ranked = self._rank_normalized(self.normalize(asked))
        merged = {c.id: c for c in ranked}
        real = [c for c in ranked if not c.id.startswith(DECOY_PREFIX)]
        decoy = next((c for c in ranked if c.id.startswith(DECOY_PREFIX)), None)
        declined_whole = decoy is not None and (not real or decoy.score >= real[0].score)
        for candidate in asked_ranked:
            if candidate.id.startswith(DECOY_PREFIX) and not declined_whole:
                continue
            score = round(candidate.score * TAIL_FACTOR, 1)
            if candidate.id not in merged or score > merged[candidate.id].score:
                merged[candidate.id] = Candidate(candidate.id, score, candidate.anchored)
        result = sorted(merged.values(), key=_by_score)
        best = next((c.id for c in result if not c.id.startswith(DECOY_PREFIX)), None)
        asked_best = next((c.id for c in asked_ranked if not c.id.startswith(DECOY_PREFIX)), None)
        split = bool(real) and best != real[0].id
        return normalized, result, split, asked_best in (None, best)

    def evidence(self, question: str) -> Evidence:
        """Rank the entries for a question and gather the decision's features."""
        parsed = self.normalize(question)
        normalized, ranked, split, agree = self._rank_with_question(question, parsed)
        top = tuple(c for c in ranked if not c.id.startswith(DECOY_PREFIX))[:MAX_CANDIDATES]
        decoy = next((c for c in ranked if c.id.startswith(DECOY_PREFIX)), None)
        weights = {t: self._weight(t) for t in parsed.folded.split()}
        total = sum(weights.values())
        unknown = sum(w for t, w in weights.items() if t not in self._idf)
        return Evidence(
            normalized,
            top,
            decoy,
            split,
            agree,
            len(question.split()),
            unknown / total if total else 0.0,
        )

    def _rank_normalized(self, normalized: Normalized) -> tuple[str, list[Candidate]]:
        """Rank the entries for one normalised text."""
        weights = {t: self._weight(t) for t in terms(normalized.folded)}
        total = sum(weights.values())
        if total <= 0:
            return normalized.accented, []
        length = math.sqrt(sum(w * w for w in weights.values()))
        typed = {fold(w): southern(w) for w in normalized.accented.split() if fold(w) != w}
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
        """Decide how to reply to one question: answer, clarify or fall back."""
        evidence = self.evidence(question)
        top, decoy = evidence.top, evidence.decoy
        best = top[0].score if top else 0.0
        action = asked_action(question, fold(evidence.normalized))
        # Help and staff are asked in so many words; an action on an entry needs the
        # ranking to agree that the question is about that entry.
        if action is not None and (
            action.command in (STAFF, "help") or any(c.id in action.entries for c in top)
        ):
            entry = None if action.command == STAFF else action.entries[0]
            return MatchResult(
                Status.ACTION, entry, best, top, evidence.normalized, action=action.command
            )
        declined = None
        if decoy is not None and decoy.score >= max(MIN_SCORE, best):
            declined = decoy.id.removeprefix(DECOY_PREFIX)
        if not top or best < MIN_SCORE or (declined and decoy.score >= best + DECOY_CLEAR):
            return MatchResult(Status.FALLBACK, None, best, top, evidence.normalized, declined)
        features = evidence.features()
        cal = self.calibration
        right = cal.answer(features)
        if self.semantic and cal.semantic and len(top) > 1 and doubtful(right, cal):
            ids = [c.id for c in top]
            similarities = self.semantic.similarities(evidence.normalized, ids, self.word_weight)
            features += semantic_features(similarities)
            cal = cal.semantic
            right = cal.answer(features)
        if right >= cal.answer_cut:
            others = top[1 : 1 + ALTERNATIVES] if right < cal.sure_cut else ()
            return MatchResult(
                Status.ANSWER, top[0].id, best, top, evidence.normalized, None, right, others
            )
        # A theme that does not beat the best entry never turns the question away: the
        # entries are offered instead (a theme at least as good declines, naming its office).
        unexplained = best >= OFFER_FLOOR and (decoy is None or decoy.score < best)
        if cal.offer(features) >= cal.clarify_cut or unexplained:
            return MatchResult(Status.CLARIFY, None, best, top, evidence.normalized, None, right)
        return MatchResult(Status.FALLBACK, None, best, top, evidence.normalized, declined, right)


def doubtful(right: float, cal: Calibration) -> bool:
    """Whether the lexical probability is in the band where the semantic stage may help."""
    return SEMANTIC_FLOOR <= right < cal.answer_cut


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
