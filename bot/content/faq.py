"""The FAQ entry schema and its loading from `content/faq/*.yaml`."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from bot.content.errors import ContentError, describe_error
from bot.content.sources import has_link, source_problem
from bot.content.yamlio import read_yaml

ANSWER_MAX_CHARS = 1500  # under Zalo's 2,000-character message limit with room for a footer
QUESTION_MAX_CHARS = 80  # the canonical question is shown on a "did you mean" button
SOURCE_NOTE_MAX_CHARS = 120  # the one short source line under the first screen


class FaqEntry(BaseModel):
    """One question with its answer, alternate phrasings, sources and related entries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")
    question: str = Field(min_length=3, max_length=QUESTION_MAX_CHARS)
    phrasings: tuple[str, ...] = ()
    answer: str  # the first screen: the direct answer, short
    details: str = ""  # behind the "Xem thêm" button
    source_note: str = Field(min_length=3, max_length=SOURCE_NOTE_MAX_CHARS)
    sources: tuple[str, ...]  # the full list, behind the "Nguồn" button
    related: tuple[str, ...] = ()
    file: str = ""

    @field_validator(
        "question", "answer", "details", "source_note", "phrasings", "sources", mode="before"
    )
    @classmethod
    def _nfc(cls, value: object) -> object:
        """Normalise all text to NFC (some editors save NFD)."""
        if isinstance(value, str):
            return unicodedata.normalize("NFC", value).strip()
        if isinstance(value, list | tuple):
            return [unicodedata.normalize("NFC", str(v)).strip() for v in value]
        return value

    @field_validator("answer", "details")
    @classmethod
    def _answer_fits(cls, value: str, info: ValidationInfo) -> str:
        """Reject an empty answer, or an answer or details too long for one message."""
        if not value and info.field_name == "answer":
            raise ValueError("answer is empty")
        if len(value) > ANSWER_MAX_CHARS:
            size = len(value)
            raise ValueError(f"{info.field_name} has {size} characters, over {ANSWER_MAX_CHARS}")
        return value

    @field_validator("source_note")
    @classmethod
    def _note_is_plain(cls, value: str) -> str:
        """The short source line names documents in words, never a link."""
        if has_link(value):
            raise ValueError("source_note has a link; name the source in words")
        if problem := source_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("sources")
    @classmethod
    def _has_sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Every entry cites at least one non-empty source fit to show a citizen."""
        if not value or not all(value):
            raise ValueError("sources are missing")
        for source in value:
            if problem := source_problem(source):
                raise ValueError(problem)
        return value


def load_faq(folder: Path) -> dict[str, FaqEntry]:
    """Load and check every FAQ file in the folder, in file order."""
    entries: dict[str, FaqEntry] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ContentError(f"{folder}: no FAQ files")
    for path in files:
        data = read_yaml(path)
        items = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ContentError(f"{path}: expected a mapping with a list 'entries'")
        for index, item in enumerate(items):
            label = item.get("id", f"#{index + 1}") if isinstance(item, dict) else f"#{index + 1}"
            try:
                entry = FaqEntry.model_validate({**item, "file": path.name})
            except (ValidationError, TypeError) as error:
                raise ContentError(f"{path}: entry {label}: {describe_error(error)}") from error
            if entry.id in entries:
                other = entries[entry.id].file
                raise ContentError(f"{path}: entry {entry.id}: duplicate id (also in {other})")
            entries[entry.id] = entry
    for entry in entries.values():
        for related in entry.related:
            if related not in entries:
                raise ContentError(
                    f"{folder / entry.file}: entry {entry.id}: unknown related id {related!r}"
                )
    return entries
