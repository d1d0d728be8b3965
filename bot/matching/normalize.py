"""Normalise Vietnamese text as citizens type it: accents or not, abbreviations, noise."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return the text in Unicode NFC (some keyboards send NFD)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Return a diacritic-free form, with đ mapped to d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Normalized:
    """A text in two forms: accented (NFC, lowercase) and folded (no diacritics)."""

    accented: str
    folded: str

    @property
    def has_accents(self) -> bool:
        """Whether the citizen typed any Vietnamese diacritics."""
        return self.accented != self.folded


def clean(text: str) -> str:
    """Lowercase NFC text with punctuation, emoji and extra spaces removed."""
    text = nfc(text).lower().replace("\x00", " ")
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def normalize(text: str, abbreviations: dict[str, str] | None = None) -> Normalized:
    """Return the accented and folded forms, with chat abbreviations expanded."""
    words = clean(text).split()
    if abbreviations:
        words = [abbreviations.get(word, word) for word in words]
    accented = " ".join(words)
    return Normalized(accented=accented, folded=fold(accented))
