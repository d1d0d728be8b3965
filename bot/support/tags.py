"""The known eligibility tags, each with the kind of fact it describes."""

from __future__ import annotations

from enum import StrEnum


class TagKind(StrEnum):
    """What a tag says about a learner."""

    PERSON = "person"  # who the learner is
    HOUSEHOLD = "household"  # the household's situation
    STUDY = "study"  # what is being studied, or at which school level
    AGE = "age"  # an age band


TAGS: dict[str, TagKind] = {
    "union-member": TagKind.PERSON,
    "worker": TagKind.PERSON,
    "child-of-worker": TagKind.PERSON,
    "child-of-union-member": TagKind.PERSON,
    "adult-learner": TagKind.PERSON,
    "rural": TagKind.PERSON,
    "disability": TagKind.PERSON,
    "ethnic-minority": TagKind.PERSON,
    "cannot-read": TagKind.PERSON,
    "poor-household": TagKind.HOUSEHOLD,
    "near-poor-household": TagKind.HOUSEHOLD,
    "primary": TagKind.STUDY,
    "lower-secondary": TagKind.STUDY,
    "upper-secondary": TagKind.STUDY,
    "college": TagKind.STUDY,
    "university": TagKind.STUDY,
    "literacy": TagKind.STUDY,
    "vocational": TagKind.STUDY,
    "upgrade-skills": TagKind.STUDY,
    "continuing-education": TagKind.STUDY,
    "general-learning": TagKind.STUDY,
    "age-under-15": TagKind.AGE,
    "age-15-60": TagKind.AGE,
    "age-over-60": TagKind.AGE,
}

UNION_TAGS = frozenset({"union-member", "child-of-union-member"})
SCHOOL_LEVELS = ("primary", "lower-secondary", "upper-secondary")

# Which kinds of tag each eligibility field accepts.
FIELD_KINDS: dict[str, frozenset[TagKind]] = {
    "learners": frozenset({TagKind.PERSON, TagKind.HOUSEHOLD}),
    "studies": frozenset({TagKind.STUDY}),
    "also_studies": frozenset({TagKind.STUDY}),
    "priority": frozenset({TagKind.PERSON, TagKind.HOUSEHOLD}),
    "ages": frozenset({TagKind.AGE}),
}


def age_band(age: int) -> str:
    """Return the age-band tag for an age in years."""
    if age < 15:
        return "age-under-15"
    return "age-15-60" if age <= 60 else "age-over-60"


def tag_label_key(tag: str) -> str:
    """Return the message key of a tag's Vietnamese label (used for amounts)."""
    return "support.tag_" + tag.replace("-", "_")
