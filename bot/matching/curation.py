"""Group the questions the bot could not answer well, so curators can add content."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.matching.normalize import fold

GROUP_SIMILARITY = 80.0  # similarity (folded, 0-100) at which two questions count as alike
SUBSET_MIN_WORDS = 3  # a question this long contained in another counts as alike


def similarity(a: str, b: str) -> float:
    """Return how alike two folded questions are; containment counts when not too short."""
    if min(len(a.split()), len(b.split())) >= SUBSET_MIN_WORDS:
        return fuzz.token_set_ratio(a, b)
    return fuzz.token_sort_ratio(a, b)


@dataclass(frozen=True)
class Item:
    """One logged question: its text, normalised form, staff mark, and 👎 entry if any."""

    text: str
    normalized: str
    left_for_staff: bool = False
    disliked_id: str | None = None


@dataclass
class Group:
    """Alike questions: an example, how many, how many left for staff, the 👎 entry if any."""

    example: str
    key: str
    disliked_id: str | None
    count: int = 0
    left_for_staff: int = 0


def group_questions(items: list[Item], *, limit: int = 20) -> list[Group]:
    """Group alike questions, most frequent first (ties: more left for staff)."""
    groups: list[Group] = []
    for item in items:
        key = fold(item.normalized or item.text.lower())
        home = next(
            (
                g
                for g in groups
                if g.disliked_id == item.disliked_id and similarity(g.key, key) >= GROUP_SIMILARITY
            ),
            None,
        )
        if home is None:
            home = Group(example=item.text, key=key, disliked_id=item.disliked_id)
            groups.append(home)
        home.count += 1
        home.left_for_staff += item.left_for_staff
    groups.sort(key=lambda g: (-g.count, -g.left_for_staff, g.example))
    return groups[:limit]
