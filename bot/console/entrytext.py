"""Edit one list item (an FAQ entry, a theme) inside a YAML file's text, leaving the rest."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from bot.content import ContentError

ID_LIST_KEYS = frozenset({"related", "faq"})  # lists of ids read best on one line


def parse(text: str, name: str) -> Any:
    """Parse YAML text, raising ContentError naming the file."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ContentError(f"{name}: not valid YAML: {error}") from error


def _quoted(value: str) -> str:
    """Return text as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _value_lines(key: str, value: Any, pad: str) -> list[str]:
    """Return the lines of one key of an item, in the style curators write by hand."""
    if isinstance(value, str) and "\n" in value:
        body = [f"{pad}  {line}".rstrip() for line in value.splitlines()]
        return [f"{pad}{key}: |", *body]
    if isinstance(value, str):
        plain = key == "id" and re.fullmatch(r"[a-z0-9-]+", value)
        return [f"{pad}{key}: {value if plain else _quoted(value)}"]
    if isinstance(value, list) and key in ID_LIST_KEYS and all(isinstance(v, str) for v in value):
        return [f"{pad}{key}: [{', '.join(value)}]"]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return (
            [f"{pad}{key}:", *(f"{pad}  - {_quoted(v)}" for v in value)]
            if value
            else [f"{pad}{key}: []"]
        )
    dumped = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False, width=10_000)
    return [f"{pad}{line}" for line in dumped.rstrip("\n").splitlines()]


def render_item(item: dict[str, Any], indent: int = 2) -> str:
    """Return a list item as YAML lines starting with `- id:` at the given indent."""
    pad = " " * (indent + 2)
    lines: list[str] = []
    for key, value in item.items():
        if value is None or value == "" or value == []:
            continue
        lines.extend(_value_lines(str(key), value, pad))
    lines[0] = " " * indent + "- " + lines[0][len(pad) :]
    return "\n".join(lines) + "\n"


def _item_start(lines: list[str], item_id: str) -> tuple[int, int] | None:
    """Return the line number and indent of the item whose `- id:` names item_id."""
    pattern = re.compile(r"^(\s*)-\s+id:\s*[\"']?" + re.escape(item_id) + r"[\"']?\s*(#.*)?$")
    for number, line in enumerate(lines):
        found = pattern.match(line)
        if found:
            return number, len(found.group(1))
    return None


def _item_end(lines: list[str], start: int, indent: int) -> int:
    """Return the line after the item: before the next item, or a key at a lower indent."""
    last = start
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) <= indent:
            break
        last = number
    return last + 1


def replace_item(text: str, item_id: str, item: dict[str, Any]) -> str | None:
    """Return the text with one item's lines rewritten, or None when it is not there."""
    lines = text.splitlines(keepends=True)
    found = _item_start(lines, item_id)
    if found is None:
        return None
    start, indent = found
    end = _item_end(lines, start, indent)
    return "".join(lines[:start]) + render_item(item, indent) + "".join(lines[end:])


def append_item(text: str, list_key: str, item: dict[str, Any]) -> str:
    """Return the text with an item added at the end of its top-level list."""
    if not text.strip():
        return f"{list_key}:\n" + render_item(item)
    return text.rstrip("\n") + "\n\n" + render_item(item)
