"""Message templates that citizens read, from `content/messages/*.yaml`."""

from __future__ import annotations

import string
import unicodedata
from pathlib import Path

from bot.content.errors import ContentError
from bot.content.yamlio import read_yaml


class Messages:
    """Templates keyed `file.key`, e.g. `core.greeting` from `messages/core.yaml`."""

    def __init__(self, templates: dict[str, str]) -> None:
        self._templates = templates

    def __contains__(self, key: str) -> bool:
        return key in self._templates

    def keys(self) -> list[str]:
        """Return every template key."""
        return list(self._templates)

    def templates(self) -> dict[str, str]:
        """Return a copy of all templates by key."""
        return dict(self._templates)

    def text(self, key: str, **values: object) -> str:
        """Return the template filled with the given values."""
        try:
            template = self._templates[key]
        except KeyError:
            raise KeyError(f"no message template {key!r} in content/messages") from None
        return template.format(**values) if values else template

    def fields(self, key: str) -> set[str]:
        """Return the placeholder names a template uses."""
        return {name for _, name, _, _ in string.Formatter().parse(self._templates[key]) if name}


def load_messages(folder: Path) -> Messages:
    """Load every template file in the folder; keys are prefixed with the file name."""
    templates: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise ContentError(f"{path}: expected a mapping of key: text")
        for key, value in data.items():
            if not isinstance(value, str) or not value.strip():
                raise ContentError(f"{path}: message {key}: empty or not text")
            try:
                list(string.Formatter().parse(value))
            except ValueError as error:
                raise ContentError(f"{path}: message {key}: bad placeholder: {error}") from error
            templates[f"{path.stem}.{key}"] = unicodedata.normalize("NFC", value.strip())
    return Messages(templates)
