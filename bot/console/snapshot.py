"""Content as data: a snapshot is every YAML file of content/ by relative path."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from bot.content import Content, ContentError, load_content

Files = dict[str, str]
SUFFIXES = (".yaml", ".yml")


def read_tree(folder: Path) -> Files:
    """Return the text of every YAML file under the folder, keyed by POSIX relative path."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ContentError(f"{folder}: content folder not found")
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in SUFFIXES
    }


def write_tree(files: Files, folder: Path) -> None:
    """Write a snapshot's files under the folder (existing files of the same name replaced)."""
    for name, text in files.items():
        target = folder / safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def safe_name(name: str) -> Path:
    """Return a relative path that stays inside its folder, or raise ContentError."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or path.suffix not in SUFFIXES:
        raise ContentError(f"{name}: not a content file name")
    return path


def digest(files: Files) -> str:
    """Return a stable fingerprint of a snapshot."""
    blob = json.dumps(files, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def load_files(files: Files) -> Content:
    """Validate and load a snapshot exactly as `khuyenhoc content check` loads content/."""
    with tempfile.TemporaryDirectory(prefix="khuyenhoc-content-") as tmp:
        write_tree(files, Path(tmp))
        try:
            return load_content(tmp)
        except ContentError as error:
            # Name files as curators know them (faq/bot.yaml), not by the temporary folder.
            raise ContentError(str(error).replace(f"{tmp}/", "")) from error


def check_files(files: Files) -> str | None:
    """Return the first content problem of a snapshot, or None when it loads."""
    try:
        load_files(files)
    except ContentError as error:
        return str(error)
    return None
