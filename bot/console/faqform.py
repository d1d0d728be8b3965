"""An FAQ entry as the editor's form fields, and its problems by field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.faq import FaqEntry

FORM_FIELDS = (
    "id",
    "question",
    "phrasings",
    "answer",
    "details",
    "source_note",
    "sources",
    "related",
)
OPTIONAL_TEXT = ("details",)  # left out of the entry when empty
LINE_FIELDS = ("phrasings", "sources")


@dataclass(frozen=True)
class Problem:
    """A validation problem: the field it belongs to (or ""), its kind and message."""

    field: str
    kind: str
    message: str
    limit: object = None


@dataclass
class EntryForm:
    """The editor's fields of one entry; `extra` holds other keys as YAML."""

    values: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problems_of(self, name: str) -> list[Problem]:
        """Return the problems shown beside one field ("" for the whole entry)."""
        return [p for p in self.problems if p.field == name]


def _lines(text: str) -> list[str]:
    """Return the non-empty lines of a text area."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def from_entry(entry: dict[str, Any]) -> EntryForm:
    """Return the form fields of an entry's raw data."""
    values = {
        "id": str(entry.get("id") or ""),
        "question": str(entry.get("question") or ""),
        "answer": str(entry.get("answer") or "").strip(),
        "details": str(entry.get("details") or "").strip(),
        "source_note": str(entry.get("source_note") or ""),
        "phrasings": "\n".join(str(p) for p in entry.get("phrasings") or []),
        "sources": "\n".join(str(s) for s in entry.get("sources") or []),
        "related": ", ".join(str(r) for r in entry.get("related") or []),
    }
    extra = {k: v for k, v in entry.items() if k not in FORM_FIELDS}
    values["extra"] = (
        yaml.safe_dump(extra, allow_unicode=True, sort_keys=False, width=10_000) if extra else ""
    )
    return EntryForm(values)


def from_form(form: Any) -> EntryForm:
    """Return the form fields as posted."""
    names = (*FORM_FIELDS, "extra")
    values = {n: unicodedata.normalize("NFC", str(form.get(n) or "")) for n in names}
    return EntryForm(values)


def to_entry(entry_form: EntryForm) -> dict[str, Any] | None:
    """Return the entry's raw data, or None with problems recorded on the form."""
    v = entry_form.values
    entry: dict[str, Any] = {
        "id": v["id"].strip(),
        "question": v["question"].strip(),
        "phrasings": _lines(v["phrasings"]),
        "answer": v["answer"].replace("\r\n", "\n").strip(),
        "details": v["details"].replace("\r\n", "\n").strip(),
        "source_note": v["source_note"].strip(),
        "sources": _lines(v["sources"]),
        "related": [r for r in re.split(r"[,\s]+", v["related"]) if r],
    }
    try:
        extra = yaml.safe_load(v["extra"]) if v["extra"].strip() else {}
    except yaml.YAMLError as error:
        entry_form.problems.append(Problem("extra", "yaml", str(error)))
        return None
    if not isinstance(extra, dict):
        entry_form.problems.append(Problem("extra", "yaml", "expected key: value lines"))
        return None
    entry.update({k: val for k, val in extra.items() if k not in FORM_FIELDS})
    for name in OPTIONAL_TEXT:
        if not entry[name]:
            del entry[name]
    entry_form.problems.extend(entry_problems(entry))
    return None if entry_form.problems else entry


def entry_problems(entry: dict[str, Any]) -> list[Problem]:
    """Check one entry with the content schema; return its problems by field."""
    try:
        FaqEntry.model_validate(entry)
    except ValidationError as error:
        return [
            Problem(
                _field_of(item["loc"]),
                item["type"],
                item["msg"],
                (item.get("ctx") or {}).get("min_length")
                or (item.get("ctx") or {}).get("max_length"),
            )
            for item in error.errors()
        ]
    return []


def _field_of(loc: tuple) -> str:
    """Return the form field a schema error belongs to (other keys live in `extra`)."""
    name = str(loc[0]) if loc else ""
    return name if name in FORM_FIELDS or not name else "extra"


def content_problem(message: str) -> Problem:
    """Place a whole-content problem (from content check) beside the field it names."""
    for name in ("related", "id", "phrasings", "source_note", "sources", "details", "answer"):
        if re.search(rf"\b{name}\b", message):
            return Problem(name, "content", message)
    return Problem("", "content", message)
