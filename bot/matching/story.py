"""Find the question inside a long message, and the people and situation it is about."""

from __future__ import annotations

import re

from bot.matching.normalize import clean, fold

LONG_MESSAGE_WORDS = 12  # a message this long is also matched on its question part
QUESTION_MIN_WORDS = 8  # the question part holds at least this many words
_CLAUSE_BREAK = re.compile(r"[,.;:!?\n]+|\s(?:mà|nhưng|vậy thì|thì)\s")
# Folded cues that a clause asks something ("không biết…", "có… không", "ở đâu", "ai xét").
_CUE = re.compile(
    r"\b(?:khong biet|muon hoi|cho hoi|xin hoi|muon biet|nho chi|chi giup|chi dum|"
    r"lam sao|the nao|ra sao|o dau|cho nao|khi nao|luc nao|bao gio|bao nhieu|ai xet|"
    r"lien he ai|hoi ai|can gi)\b|\b(?:gi|khong|hong|ko|hem|chua|khum)$"
)
# Folded words naming who the question is about; kept when the story names them.
PEOPLE = (
    "con",
    "con toi",
    "con tui",
    "cong nhan",
    "nguoi lao dong",
    "doan vien",
    "cong doan",
    "nong dan",
    "sinh vien",
    "hoc sinh",
    "nguoi gia",
    "nguoi lon tuoi",
    "huu tri",
    "doanh nghiep",
    "cong ty",
    "viet kieu",
    "kieu bao",
    "giao vien",
    "can bo",
    "cong chuc",
    "vien chuc",
    "dong ho",
    "ho toc",
    "gia dinh",
    "ap",
    "khom",
    "co quan",
    "truong",
)
_PEOPLE = re.compile(r"\b(?:" + "|".join(sorted(PEOPLE, key=len, reverse=True)) + r")\b")


def question_part(message: str) -> str | None:
    """Return the clauses holding a long message's question, with the people it names.

    The question is the last clause with a question cue and what follows it, widened back
    to QUESTION_MIN_WORDS words; without a cue, the last clauses. The people the story
    names elsewhere (con, công nhân, Việt kiều…) are added, folded, so the question keeps
    who it is about. None for a short message or when the question part is all of it.
    """
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(message) if c and c.strip()]
    if len(message.split()) < LONG_MESSAGE_WORDS or len(clauses) < 2:
        return None
    start = len(clauses) - 1
    for position in range(len(clauses) - 1, -1, -1):
        if _CUE.search(fold(clean(clauses[position]))):
            start = position
            break
    while start > 0 and sum(len(c.split()) for c in clauses[start:]) < QUESTION_MIN_WORDS:
        start -= 1
    if start == 0:
        return None
    asked = " ".join(clauses[start:])
    told = fold(clean(" ".join(clauses[:start])))
    named = set(_PEOPLE.findall(told)) - set(_PEOPLE.findall(fold(clean(asked))))
    return " ".join([asked, *sorted(named)])
