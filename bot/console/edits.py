"""Edits of a content snapshot: FAQ entries, phrasings, out-of-scope themes, whole files."""

from __future__ import annotations

import unicodedata
from typing import Any

from bot.console.entrytext import append_item, parse, replace_item
from bot.console.snapshot import Files
from bot.content import ContentError

FAQ_FOLDER = "faq/"
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"
NEW_ENTRY_FILE = "faq/moi.yaml"
NEW_ENTRY_HEADER = "# FAQ: entries added from the web console.\nentries:\n"


def nfc(text: str) -> str:
    """Return text in NFC with outer spaces removed."""
    return unicodedata.normalize("NFC", text).strip()


def faq_files(files: Files) -> list[str]:
    """Return the FAQ file names of a snapshot, in loading order."""
    return sorted(n for n in files if n.startswith(FAQ_FOLDER) and n.count("/") == 1)


def _items(files: Files, name: str, key: str) -> list[Any]:
    """Return the parsed top-level list of one file."""
    data = parse(files.get(name, ""), name)
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ContentError(f"{name}: expected a mapping with a list '{key}'")
    return items


def all_entries(files: Files) -> list[tuple[str, dict[str, Any]]]:
    """Return every FAQ entry's file and raw data, in loading order."""
    return [
        (name, item)
        for name in faq_files(files)
        for item in _items(files, name, "entries")
        if isinstance(item, dict)
    ]


def find_entry(files: Files, faq_id: str) -> tuple[str, dict[str, Any]] | None:
    """Return the file and raw data of an FAQ entry."""
    return next(((n, e) for n, e in all_entries(files) if e.get("id") == faq_id), None)


def put_entry(files: Files, entry: dict[str, Any], *, old_id: str | None = None) -> Files:
    """Return a snapshot with the entry replaced (found by old_id or its id) or added."""
    found = find_entry(files, old_id or entry["id"])
    if found is not None:
        name = found[0]
        text = replace_item(files[name], str(found[1]["id"]), entry)
        if text is None:
            raise ContentError(f"{name}: entry {found[1]['id']}: cannot be edited here")
        return {**files, name: text}
    text = files.get(NEW_ENTRY_FILE, NEW_ENTRY_HEADER)
    return {**files, NEW_ENTRY_FILE: append_item(text, "entries", entry)}


def _with_phrasing(item: dict[str, Any], text: str) -> dict[str, Any]:
    """Return the item with the phrasing added unless it already has it."""
    phrasings = [str(p) for p in item.get("phrasings") or []]
    if nfc(text) not in {nfc(p) for p in phrasings}:
        phrasings.append(nfc(text))
    return {**item, "phrasings": phrasings}


def add_phrasing(files: Files, faq_id: str, text: str) -> Files:
    """Return a snapshot where the FAQ entry also matches this phrasing."""
    found = find_entry(files, faq_id)
    if found is None:
        raise ContentError(f"entry {faq_id}: not found")
    return put_entry(files, _with_phrasing(found[1], text))


def theme_ids(files: Files) -> list[str]:
    """Return the out-of-scope theme ids of a snapshot."""
    themes = _items(files, OUT_OF_SCOPE_FILE, "themes")
    return [str(t.get("id")) for t in themes if isinstance(t, dict)]


def add_theme_phrasing(files: Files, theme_id: str, text: str) -> Files:
    """Return a snapshot where the out-of-scope theme also holds this phrasing."""
    for theme in _items(files, OUT_OF_SCOPE_FILE, "themes"):
        if isinstance(theme, dict) and theme.get("id") == theme_id:
            updated = replace_item(files[OUT_OF_SCOPE_FILE], theme_id, _with_phrasing(theme, text))
            if updated is not None:
                return {**files, OUT_OF_SCOPE_FILE: updated}
    raise ContentError(f"{OUT_OF_SCOPE_FILE}: theme {theme_id}: not found")


def phrasings_of(files: Files) -> frozenset[str]:
    """Return every FAQ and out-of-scope phrasing of a snapshot, NFC, lowercase."""
    texts = [str(p) for _, e in all_entries(files) for p in e.get("phrasings") or []]
    if OUT_OF_SCOPE_FILE in files:
        themes = _items(files, OUT_OF_SCOPE_FILE, "themes")
        texts += [str(p) for t in themes if isinstance(t, dict) for p in t.get("phrasings") or []]
    return frozenset(nfc(t).lower() for t in texts)


def put_file(files: Files, name: str, text: str) -> Files:
    """Return a snapshot with one file's text replaced (it must stay valid YAML)."""
    if name not in files:
        raise ContentError(f"{name}: not a content file")
    parse(text, name)
    return {**files, name: text.replace("\r\n", "\n")}
