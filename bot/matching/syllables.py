"""Vietnamese syllables: one tone-mark placement, and Telex/VNI typing leftovers."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

VOWELS = "aăâeêioôơuưy"
MARKED_VOWELS = "ăâêôơư"  # vowels that carry their own mark; the tone goes on them first
TONE_MARKS = {"\u0301", "\u0300", "\u0309", "\u0303", "\u0323"}  # sắc huyền hỏi ngã nặng
TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
TELEX_DOUBLES = {"aa": "â", "ee": "ê", "oo": "ô", "dd": "đ", "aw": "ă", "ow": "ơ", "uw": "ư"}
VNI_MARKS = {"a6": "â", "e6": "ê", "o6": "ô", "o7": "ơ", "u7": "ư", "a8": "ă", "d9": "đ"}


def split_tone(syllable: str) -> tuple[str, str]:
    """Return the syllable without its tone mark, and the mark ('' when none)."""
    tone = ""
    kept = []
    for char in unicodedata.normalize("NFD", syllable):
        if char in TONE_MARKS:
            tone = char
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(bare: str) -> int | None:
    """Return the index of the vowel that carries the tone (traditional style: hòa, thủy)."""
    start = 0
    if bare.startswith("qu") and len(bare) > 2:
        start = 2
    elif bare.startswith("gi") and len(bare) > 2 and bare[2] in VOWELS:
        start = 2
    cluster: list[int] = []
    for index in range(start, len(bare)):
        if bare[index] in VOWELS:
            cluster.append(index)
        elif cluster:
            break
    if not cluster or any(c in VOWELS for c in bare[cluster[-1] + 1 :]):
        return None  # no vowel, or several syllables typed without a space
    marked = [i for i in cluster if bare[i] in MARKED_VOWELS]
    if marked:
        return marked[-1]
    if cluster[-1] + 1 < len(bare) or len(cluster) == 1:
        return cluster[-1]
    return cluster[0] if len(cluster) == 2 else cluster[1]


@lru_cache(maxsize=65_536)
def place_tone(syllable: str) -> str:
    """Put the tone mark of a lowercase syllable on one agreed vowel (hoà → hòa)."""
    bare, tone = split_tone(syllable)
    if not tone or not bare.isalpha():
        return syllable
    position = _tone_position(bare)
    if position is None:
        return syllable
    marked = unicodedata.normalize("NFC", bare[position] + tone)
    return bare[:position] + marked + bare[position + 1 :]


def _apply_telex_w(body: str) -> str:
    """Turn a Telex 'w' into the horn or breve it stands for (truwowng → trương)."""
    if "w" not in body:
        return body
    if not any(v in body for v in "uoa"):
        return body.replace("w", "ư", 1).replace("w", "")  # a lone w types ư (dwc → đưc)
    body = body.replace("w", "")
    if "uo" in body:
        return body.replace("uo", "ươ", 1)
    for plain, marked in (("u", "ư"), ("o", "ơ"), ("a", "ă")):
        if plain in body:
            return body.replace(plain, marked, 1)
    return body


def decode_typing(token: str) -> str | None:
    """Return the syllable a Telex or VNI leftover stands for (hocj → học), else None."""
    if not token.isascii() or not token.isalnum() or len(token) < 2:
        return None
    body, tone = token, ""
    if body[-1] in VNI_TONES:
        body, tone = body[:-1], VNI_TONES[body[-1]]
    elif body[-1] in TELEX_TONES and len(body) > 2:
        body, tone = body[:-1], TELEX_TONES[body[-1]]
    for pairs in (VNI_MARKS, TELEX_DOUBLES):
        for plain, marked in pairs.items():
            body = body.replace(plain, marked)
    body = _apply_telex_w(body)
    if not body.isalpha() or body == token or _tone_position(body) is None:
        return None
    return place_tone(unicodedata.normalize("NFC", body + tone)) if tone else body
