"""Normalise Vietnamese text as citizens type it: accents or not, abbreviations, noise."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching.syllables import decode_typing, place_tone, split_tone

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# The shape of a folded Vietnamese syllable: initial consonant, vowels, final consonant.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
MIN_PIECE = 2  # shortest syllable accepted when splitting words typed without spaces
MAX_SYLLABLE = 7  # longest Vietnamese syllable (nghiêng)
MAX_GLUED = 40  # longer runs of letters are not split (cost grows with length)
_LONG_RUN = re.compile(r"(\w)\1{2,}")
# Chat spellings of initial consonants, tried only when the word is otherwise unknown.
_INITIAL_SPELLINGS = (
    ("dz", ("d", "v", "gi")),
    ("f", ("ph",)),
    ("w", ("qu",)),
    ("z", ("v", "d", "gi")),
    ("j", ("gi",)),
)


def nfc(text: str) -> str:
    """Return the text in Unicode NFC (some keyboards send NFD)."""
    return unicodedata.normalize("NFC", text)


class _FoldTable(dict[int, str]):
    """Each character's diacritic-free form, worked out on first sight (a translate table).

    Folding character by character is folding the text: NFD decomposes each character on
    its own, and the marks it would reorder are all dropped.
    """

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if len(self) < MAX_FOLD_TABLE:  # bounded, whatever a sender throws at it
            self[code] = folded
        return folded


MAX_FOLD_TABLE = 20_000
_FOLD = _FoldTable({ord("đ"): "d", ord("Đ"): "D"})


def fold(text: str) -> str:
    """Return a diacritic-free form, with đ mapped to d."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Normalized:
    """A text in two forms: accented (NFC, lowercase) and folded (no diacritics)."""

    accented: str
    folded: str


def clean(text: str) -> str:
    """Lowercase NFC text with punctuation, emoji and extra spaces removed."""
    text = nfc(nfc(text).lower()).replace("\x00", " ")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """Return the cleaned words of a text with one tone-mark placement (hoà → hòa)."""
    return [place_tone(word) for word in clean(text).split()]


def _collapse(word: str) -> str:
    """Collapse letters repeated for emphasis (khôngggg → không), accents aside."""
    kept: list[str] = []
    for char in word:
        if kept and fold(char) == fold(kept[-1]) and char.isalpha():
            continue
        kept.append(char)
    return "".join(kept)


class Normalizer:
    """Normalise texts with a curated abbreviation table and a vocabulary of known words.

    Abbreviation keys may span several words; an empty expansion drops the words (fillers
    such as "ad ơi"). A key written without diacritics also matches when typed with any.
    """

    def __init__(
        self, abbreviations: dict[str, str] | None = None, vocabulary: Iterable[str] = ()
    ) -> None:
        self._exact: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._loose: dict[tuple[str, ...], tuple[str, ...]] = {}
        for short, full in (abbreviations or {}).items():
            key = tuple(words(short))
            if key:
                table = self._loose if fold(short) == short else self._exact
                table[key] = tuple(words(full))
        self._longest = max((len(k) for k in (*self._exact, *self._loose)), default=1)
        self._key_words = {w for k in self._exact for w in k} | {w for k in self._loose for w in k}
        self._exact_starts = {k[0] for k in self._exact}
        self._loose_starts = {k[0] for k in self._loose}
        counts: Counter[str] = Counter(w for text in vocabulary for w in words(text))
        self.known = {fold(w) for w in counts}
        # The commonest known spelling for a letter skeleton and tone: Telex leftovers such
        # as "bongr" lack the circumflex ("bỏng") that "bổng" needs.
        self._spelling: dict[tuple[str, str], str] = {}
        self._commonest: dict[str, str] = {}
        for word, _count in counts.most_common():
            self._spelling.setdefault((fold(word), split_tone(word)[1]), word)
            self._commonest.setdefault(fold(word), word)
        self._folded_words = [w for w in self._commonest if len(w) >= 2]
        expansions = (*self._exact.values(), *self._loose.values())
        self.known |= {fold(w) for value in expansions for w in value}

    def __call__(self, text: str) -> Normalized:
        """Return the accented and folded forms of one text."""
        # A repair can change where the tone mark belongs (diaả → diả → dỉa): place it again.
        tokens = [place_tone(p) for word in words(text) for p in self._repair(word).split()]
        for _ in range(4):  # expansions may reveal further keys; stop at a fixed point
            expanded = self._expand(tokens)
            if expanded == tokens:
                break
            tokens = expanded
        accented = " ".join(tokens)
        return Normalized(accented=accented, folded=fold(accented))

    def _acceptable(self, word: str) -> bool:
        """Whether a word is known content vocabulary or an abbreviation."""
        return fold(word) in self.known or word in self._key_words or fold(word) in self._key_words

    def _repair(self, word: str) -> str:
        """Fix typing leftovers in an unknown word when the result is a known word."""
        if not self.known or self._acceptable(word):
            return word
        collapsed = _collapse(word)
        for form in dict.fromkeys((word, collapsed)):
            candidates = [form, decode_typing(form)]
            for prefix, replacements in _INITIAL_SPELLINGS:
                if form.startswith(prefix) and len(form) > len(prefix):
                    candidates += [r + form[len(prefix) :] for r in replacements]
            for candidate in candidates:
                if candidate and self._acceptable(candidate):
                    if candidate in self._key_words:
                        return candidate
                    key = (fold(candidate), split_tone(candidate)[1])
                    return self._spelling.get(key, candidate)
        return (
            self._split(word)
            or self._nearest(collapsed)
            or (collapsed if _LONG_RUN.search(word) else word)
        )

    def _nearest(self, word: str) -> str | None:
        """Fix a one-letter typo (bnog → bong) in a word that cannot be a Vietnamese syllable.

        A well-formed syllable is left alone: it may be a real word the FAQ never uses
        (tiêm, thuế), and "correcting" it would turn an off-topic question into a topic.
        """
        folded = fold(word)
        if len(folded) < 3 or not folded.isalpha() or _SYLLABLE.fullmatch(folded):
            return None
        hits = process.extract(folded, self._folded_words, scorer=OSA.distance, limit=2)
        if not hits or hits[0][1] > 1 or (len(hits) > 1 and hits[1][1] == hits[0][1]):
            return None
        return self._commonest[hits[0][0]] if folded != word else hits[0][0]

    def _split(self, word: str) -> str | None:
        """Split words typed without spaces (hocbong → hoc bong) into known syllables."""
        if len(word) < 2 * MIN_PIECE or len(word) > MAX_GLUED or not word.isalpha():
            return None
        best: list[list[str] | None] = [[]] + [None] * len(word)
        for end in range(MIN_PIECE, len(word) + 1):
            for start in range(max(0, end - MAX_SYLLABLE), end - MIN_PIECE + 1):
                head = best[start]
                piece = word[start:end]
                if head is not None and fold(piece) in self.known:
                    if best[end] is None or len(head) + 1 < len(best[end]):
                        best[end] = [*head, piece]
        pieces = best[-1]
        return " ".join(map(place_tone, pieces)) if pieces and len(pieces) > 1 else None

    def _expand(self, tokens: list[str]) -> list[str]:
        """Replace abbreviations, longest first; drop fillers."""
        result: list[str] = []
        index = 0
        folded = [fold(t) for t in tokens]
        while index < len(tokens):
            if tokens[index] not in self._exact_starts and folded[index] not in self._loose_starts:
                result.append(tokens[index])  # no key starts here (most words)
                index += 1
                continue
            for size in range(min(self._longest, len(tokens) - index), 0, -1):
                key = tuple(tokens[index : index + size])
                value = self._exact.get(key)
                if value is None:
                    value = self._loose.get(tuple(folded[index : index + size]))
                if value is not None:
                    result.extend(value)
                    index += size
                    break
            else:
                result.append(tokens[index])
                index += 1
        return result


def normalize(text: str, abbreviations: dict[str, str] | None = None) -> Normalized:
    """Return the accented and folded forms, with chat abbreviations expanded."""
    return Normalizer(abbreviations)(text)
