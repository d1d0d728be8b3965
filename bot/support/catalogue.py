"""The catalogue of study-support programmes and funds in `content/programmes.yaml`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.content.errors import ContentError, describe_error
from bot.content.yamlio import read_yaml
from bot.support.tags import FIELD_KINDS, TAGS, TagKind, tag_label_key

if TYPE_CHECKING:
    from bot.content.loader import Content

TEXT_MAX_CHARS = 600  # each text field; a whole result stays well under Zalo's 2,000 characters
NAME_MAX_CHARS = 80
CARD_MAX_CHARS = 1500  # a whole result card, under Zalo's 2,000 with room for labels


def _known_tag(tag: str, kinds: frozenset[TagKind] = frozenset(TagKind)) -> str:
    """Reject a tag that is not in the known list, naming the tags that would fit."""
    if tag not in TAGS:
        fitting = sorted(name for name, kind in TAGS.items() if kind in kinds)
        raise ValueError(f"unknown tag {tag!r} (known: {', '.join(fitting)})")
    return tag


def _check_tags(field: str, value: tuple[str, ...]) -> tuple[str, ...]:
    """Reject tags that are unknown or of the wrong kind for the field."""
    for tag in value:
        _known_tag(tag, FIELD_KINDS[field])
        if TAGS[tag] not in FIELD_KINDS[field]:
            raise ValueError(f"tag {tag!r} is a {TAGS[tag]} tag, not allowed in {field}")
    return value


class Eligibility(BaseModel):
    """Who a programme serves, as tags; an empty list means "anyone"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    learners: tuple[str, ...] = ()  # the learner needs at least one of these
    studies: tuple[str, ...] = ()  # what it is mainly for; the learner's aim must be here...
    also_studies: tuple[str, ...] = ()  # ...or here (it also helps with these)
    priority: tuple[str, ...] = ()  # ranked higher for these, not required
    ages: tuple[str, ...] = ()  # age bands served

    @field_validator("learners", "studies", "also_studies", "priority", "ages")
    @classmethod
    def _known(cls, value: tuple[str, ...], info: Any) -> tuple[str, ...]:
        """Every tag comes from the known list and suits its field."""
        return _check_tags(info.field_name, value)

    def accepts_study(self, study: str) -> bool:
        """Return whether the programme serves this aim or level."""
        open_to_all = not self.studies and not self.also_studies
        return open_to_all or study in self.studies or study in self.also_studies


class Amount(BaseModel):
    """A sourced amount for one group of learners (a tag such as `university`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tag: str
    amount: str = Field(min_length=1, max_length=80)

    @field_validator("tag")
    @classmethod
    def _known(cls, value: str) -> str:
        """The group is a known tag."""
        return _known_tag(value)


class Programme(BaseModel):
    """One programme or fund: who runs it, who it serves, what it gives, how to apply."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    name: str = Field(min_length=3, max_length=NAME_MAX_CHARS)
    runner: str = Field(min_length=3, max_length=TEXT_MAX_CHARS)
    eligibility: Eligibility = Eligibility()
    support: str = Field(min_length=3, max_length=TEXT_MAX_CHARS)
    amounts: tuple[Amount, ...] = ()
    amounts_as_of: str | None = None  # the year or text the amounts come from
    apply: str = Field(min_length=3, max_length=TEXT_MAX_CHARS)
    season: str | None = Field(default=None, max_length=TEXT_MAX_CHARS)  # only when sourced
    caveat: str | None = Field(default=None, max_length=TEXT_MAX_CHARS)
    unconfirmed: bool = False  # a [?] fact: ranked lower, and the caveat says why
    sources: tuple[str, ...]
    faq: tuple[str, ...] = ()
    deadline_event: str | None = Field(default=None, min_length=1, max_length=61)  # "ev:" + id

    @model_validator(mode="after")
    def _fits_one_message(self) -> Programme:
        """A programme's card must fit one message on every channel."""
        parts = (self.name, self.runner, self.support, self.apply, self.season, self.caveat)
        size = sum(len(p or "") for p in parts) + len(self.sources[0])
        size += sum(len(a.amount) + 30 for a in self.amounts)  # 30: the group's label
        if size > CARD_MAX_CHARS:
            raise ValueError(f"the card has about {size} characters, over {CARD_MAX_CHARS}")
        return self

    @field_validator("sources")
    @classmethod
    def _has_sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Every programme cites at least one non-empty source."""
        if not value or not all(s.strip() for s in value):
            raise ValueError("sources are missing")
        return value

    @model_validator(mode="after")
    def _hedged(self) -> Programme:
        """Amounts name their year or basis; an unconfirmed programme says why."""
        if self.amounts and not self.amounts_as_of:
            raise ValueError("amounts need amounts_as_of (the year or document they come from)")
        if self.unconfirmed and not self.caveat:
            raise ValueError("unconfirmed needs a caveat telling the citizen what is not sure")
        return self


@dataclass(frozen=True)
class Catalogue:
    """The programmes in curator order, and the FAQ entries they refer to."""

    programmes: tuple[Programme, ...]
    faq_ids: frozenset[str]  # FAQ entries some programme refers to (they link to the finder)

    def get(self, programme_id: str) -> Programme | None:
        """Return one programme by id."""
        return next((p for p in self.programmes if p.id == programme_id), None)


def load_programmes(path: Path, content: Content) -> Catalogue:
    """Load and check the catalogue: tags, sources, FAQ and event references, labels."""
    data = read_yaml(path)
    items = data.get("programmes") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise ContentError(f"{path}: expected a mapping with a non-empty list 'programmes'")
    events = _event_ids(content.sections.get("events"))
    programmes: list[Programme] = []
    for index, item in enumerate(items):
        label = item.get("id", f"#{index + 1}") if isinstance(item, dict) else f"#{index + 1}"
        try:
            programme = Programme.model_validate(item)
        except (ValidationError, TypeError) as error:
            raise ContentError(f"{path}: entry {label}: {describe_error(error)}") from error
        problem = _reference_problem(programme, content, events)
        if problem is None and any(p.id == programme.id for p in programmes):
            problem = "duplicate id"
        if problem:
            raise ContentError(f"{path}: entry {programme.id}: {problem}")
        programmes.append(programme)
    faq_ids = frozenset(faq_id for p in programmes for faq_id in p.faq)
    return Catalogue(tuple(programmes), faq_ids)


def _reference_problem(
    programme: Programme, content: Content, events: frozenset[str] | None
) -> str | None:
    """Return what a programme refers to that does not exist, or None."""
    for faq_id in programme.faq:
        if faq_id not in content.faq:
            return f"unknown FAQ id {faq_id!r} in faq"
    if programme.deadline_event and events is not None and programme.deadline_event not in events:
        return f"unknown event id {programme.deadline_event!r} in deadline_event"
    for amount in programme.amounts:
        if tag_label_key(amount.tag) not in content.messages:
            return f"amount tag {amount.tag!r} has no label {tag_label_key(amount.tag)!r}"
    return None


def _event_ids(events: Any) -> frozenset[str] | None:
    """Return the ids of the loaded events section, or None when it is not loaded."""
    if events is None:
        return None
    if isinstance(events, Mapping):
        return frozenset(str(key) for key in events)
    for attribute in ("events", "by_id"):
        if hasattr(events, attribute):
            return _event_ids(getattr(events, attribute))
    if isinstance(events, Iterable):
        return frozenset(
            str(item["id"] if isinstance(item, Mapping) else item.id) for item in events
        )
    raise ContentError(f"events section of type {type(events).__name__} has no ids")
