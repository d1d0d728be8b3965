"""Rank catalogue programmes for a learner's profile: a pure function with named weights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.support.catalogue import Programme
from bot.support.tags import SCHOOL_LEVELS, TAGS, UNION_TAGS, TagKind, age_band

# Scoring weights. A programme must pass the filters (learners, studies) to be listed at all.
STUDY_MAIN = 40  # the learner's aim is what the programme is mainly for
STUDY_ALSO = 20  # the programme also helps with that aim
STUDY_OPEN = 10  # the programme does not restrict what is studied
LEARNER_TARGETED = 30  # the programme is meant for a group the learner belongs to
PRIORITY_EACH = 10  # per priority tag the learner has (e.g. near-poor household)
SOURCED_AMOUNT = 5  # a sourced amount exists for this learner: a concrete answer
AGE_MISMATCH = -30  # the learner is outside the programme's age bands
UNCONFIRMED = -15  # a [?] fact: shown, but after confirmed ones
MIN_SCORE = 10  # below this a programme is not worth a citizen's attention

# Answers of the finder's questions, and the tags they give the learner.
WORK_TAGS_SELF = {
    "union": {"union-member", "worker"},
    "worker": {"worker"},
    "farmer": {"rural"},
    "other": set(),
}
WORK_TAGS_CHILD = {
    "union": {"child-of-union-member", "child-of-worker"},
    "worker": {"child-of-worker"},
    "farmer": {"rural"},
    "other": set(),
}
HOUSEHOLD_TAGS = {
    "poor": {"poor-household"},
    "near-poor": {"near-poor-household"},
    "none": set(),
    "skip": set(),
}


@dataclass(frozen=True)
class Profile:
    """What the finder knows about the learner: tags, and what is being studied."""

    tags: frozenset[str] = frozenset()
    study: str | None = None  # None: anything ("general")


@dataclass(frozen=True)
class Match:
    """A programme that fits, with its score; union support is listed first for members."""

    programme: Programme
    score: int
    union_first: bool


def profile_from_answers(
    answers: Mapping[str, str], *, birth_year: int | None = None, year: int | None = None
) -> Profile:
    """Turn the finder's answers (who, work, goal, level, household) into a profile."""
    for_child = answers.get("who") == "child"
    study = answers.get("level") or answers.get("goal")
    if study == "student":  # "I am studying" without a level: any level
        study = None
    tags = set((WORK_TAGS_CHILD if for_child else WORK_TAGS_SELF).get(answers.get("work", ""), ()))
    tags |= HOUSEHOLD_TAGS.get(answers.get("household", ""), set())
    if study == "literacy":
        tags.add("cannot-read")
    if not for_child:
        if study not in SCHOOL_LEVELS:
            tags.add("adult-learner")
        if birth_year and year:
            tags.add(age_band(year - birth_year))
    return Profile(frozenset(tags), study)


def score(profile: Profile, programme: Programme) -> int | None:
    """Return how well the programme fits the profile, or None when it does not apply."""
    rules = programme.eligibility
    if rules.learners and not profile.tags & set(rules.learners):
        return None
    if profile.study is not None and not rules.accepts_study(profile.study):
        return None
    total = 0
    if profile.study is not None and profile.study in rules.studies:
        total += STUDY_MAIN
    elif profile.study is not None and profile.study in rules.also_studies:
        total += STUDY_ALSO
    elif not rules.studies and not rules.also_studies:
        total += STUDY_OPEN
    if rules.learners:
        total += LEARNER_TARGETED
    total += PRIORITY_EACH * len(profile.tags & set(rules.priority))
    if amounts_for(profile, programme):
        total += SOURCED_AMOUNT
    bands = {tag for tag in profile.tags if TAGS.get(tag) is TagKind.AGE}
    if rules.ages and bands and not bands & set(rules.ages):
        total += AGE_MISMATCH
    if programme.unconfirmed:
        total += UNCONFIRMED
    return total


def amounts_for(profile: Profile, programme: Programme) -> list[str]:
    """Return the tags of the programme's amounts that concern this learner."""
    mine = profile.tags | ({profile.study} if profile.study else set())
    return [amount.tag for amount in programme.amounts if amount.tag in mine]


def rank(profile: Profile, programmes: Iterable[Programme]) -> list[Match]:
    """Return the programmes that fit, best first; union support first for union members."""
    member = bool(profile.tags & UNION_TAGS)
    matches = []
    for programme in programmes:
        points = score(profile, programme)
        if points is None or points < MIN_SCORE:
            continue
        union = member and bool(UNION_TAGS & set(programme.eligibility.learners))
        matches.append(Match(programme, points, union))
    # sorted() is stable: equal scores keep the curator's catalogue order.
    return sorted(matches, key=lambda m: (not m.union_first, -m.score))
