"""Self-assessment content (groups, indicators, choices), the consent text, and scoring."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.content.errors import ContentError, describe_error
from bot.content.yamlio import read_yaml

if TYPE_CHECKING:
    from bot.content.loader import Content

PASS_TOTAL = 80  # đạt: total at least this ...
PASS_MIN_EACH = 5  # ... and no indicator under this (QĐ 324/QĐ-KHVN)
MAX_SCORE = 10
INDICATOR_SPLIT = {"tu-hoc": 4, "cong-cu": 4, "xa-hoi": 2}


class _Model(BaseModel):
    """Strict, frozen, NFC-normalised content records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: object) -> object:
        """Normalise text to NFC and strip it."""
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value).strip()
        return value


class Group(_Model):
    """A target group of QĐ 324; `code` is stored in the database."""

    code: str = Field(pattern=r"^[a-z][a-z-]{1,30}$")
    label: str = Field(min_length=3, max_length=60)


class Competency(_Model):
    """One of the three competencies."""

    id: str
    name: str = Field(min_length=3)


class Choice(_Model):
    """An anchored answer shown as a button."""

    score: int = Field(ge=0, le=MAX_SCORE)
    label: str = Field(min_length=2, max_length=40)


class Indicator(_Model):
    """One of the ten indicators, with one way to improve and the FAQ entry that helps."""

    id: int = Field(ge=1, le=10)
    competency: str
    text: str = Field(min_length=10)
    hint: str = ""
    hints: dict[str, str] = Field(default_factory=dict)
    improve: str = Field(min_length=10)
    faq: str

    def hint_for(self, group: str | None) -> str:
        """Return the example for the citizen's group, or the general one."""
        return self.hints.get(group or "", self.hint)


class AssessmentContent(_Model):
    """The whole assessment.yaml."""

    groups: tuple[Group, ...]
    competencies: tuple[Competency, ...]
    choices: tuple[Choice, ...]
    indicators: tuple[Indicator, ...]

    def group_label(self, code: str | None) -> str:
        """Return the label of a group code (the code itself if unknown)."""
        return next((g.label for g in self.groups if g.code == code), code or "")


@dataclass(frozen=True)
class Score:
    """The result of one completed assessment."""

    total: int
    subtotals: dict[str, int]  # competency id -> points
    weak: list[Indicator]  # indicators under PASS_MIN_EACH
    passed: bool


def score(content: AssessmentContent, answers: dict[str, int]) -> Score:
    """Score a full set of answers (keys "1".."10")."""
    subtotals = {c.id: 0 for c in content.competencies}
    weak: list[Indicator] = []
    for indicator in content.indicators:
        points = int(answers[str(indicator.id)])
        subtotals[indicator.competency] += points
        if points < PASS_MIN_EACH:
            weak.append(indicator)
    total = sum(subtotals.values())
    return Score(total, subtotals, weak, passed=total >= PASS_TOTAL and not weak)


def load_assessment(path: Path, content: Content) -> AssessmentContent:
    """Load assessment.yaml: ten indicators split 4/4/2, known groups and FAQ ids."""
    data = read_yaml(path)
    try:
        loaded = AssessmentContent.model_validate(data)
    except ValidationError as error:
        raise ContentError(f"{path}: {describe_error(error)}") from error
    codes = [g.code for g in loaded.groups]
    if len(codes) != 4 or len(set(codes)) != 4:
        raise ContentError(f"{path}: groups: expected the 4 distinct groups of QĐ 324")
    if sorted(i.id for i in loaded.indicators) != list(range(1, 11)):
        raise ContentError(f"{path}: indicators: expected ids 1 to 10 once each")
    if {c.id for c in loaded.competencies} != set(INDICATOR_SPLIT):
        raise ContentError(f"{path}: competencies: expected ids {sorted(INDICATOR_SPLIT)}")
    if Counter(i.competency for i in loaded.indicators) != Counter(INDICATOR_SPLIT):
        raise ContentError(f"{path}: indicators: expected a 4/4/2 split over the competencies")
    for indicator in loaded.indicators:
        if indicator.faq not in content.faq:
            raise ContentError(
                f"{path}: indicator {indicator.id}: unknown faq id {indicator.faq!r}"
            )
        unknown = set(indicator.hints) - set(codes)
        if unknown:
            raise ContentError(f"{path}: indicator {indicator.id}: unknown group {unknown}")
    return loaded


@dataclass(frozen=True)
class ConsentText:
    """The consent request shown before registration, by version."""

    current: str
    versions: dict[str, str]

    @property
    def text(self) -> str:
        """Return the text of the current version."""
        return self.versions[self.current]


def load_consent(path: Path, content: Content) -> ConsentText:
    """Load consent.yaml: versions with non-empty texts, and the current one among them."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("versions"), list):
        raise ContentError(f"{path}: expected 'current' and a list 'versions'")
    versions: dict[str, str] = {}
    for item in data["versions"]:
        version = str(item.get("version", "")).strip() if isinstance(item, dict) else ""
        text = item.get("text") if isinstance(item, dict) else None
        if not version or len(version) > 32 or not isinstance(text, str) or not text.strip():
            raise ContentError(f"{path}: version {version or '?'}: needs a version and a text")
        if version in versions:
            raise ContentError(f"{path}: version {version}: duplicate")
        versions[version] = unicodedata.normalize("NFC", text.strip())
    current = str(data.get("current", ""))
    if current not in versions:
        raise ContentError(f"{path}: current version {current!r} is not in versions")
    return ConsentText(current=current, versions=versions)
