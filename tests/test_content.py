"""Content: the real folder loads; a curator's mistake names the file and entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_content
from tests.conftest import CONTENT_DIR, ROOT
from tests.helpers import run_cli

REQUIRED_IDS = (
    [
        t["id"]
        for t in yaml.safe_load((ROOT.parent / "shared/spec/faq-topics.yaml").read_text())[
            "topics"
        ]
    ]
    if (ROOT.parent / "shared/spec/faq-topics.yaml").exists()
    else []
)


def test_real_content_loads_and_has_every_required_topic() -> None:
    content = load_content(CONTENT_DIR)
    assert len(content.faq) >= 33
    for topic_id in REQUIRED_IDS:
        assert topic_id in content.faq, topic_id
    for entry in content.faq.values():
        assert entry.sources and entry.answer and len(entry.answer) <= 1500


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit_first_entry(folder: Path, **changes: object) -> str:
    path = sorted((folder / "faq").glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text())
    data["entries"][0].update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path.name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"answer": ""}, "answer is empty"),
        ({"sources": []}, "sources are missing"),
        ({"related": ["khong-co-id-nay"]}, "unknown related id"),
        ({"answer": "dài " * 600}, "over 1500"),
    ],
)
def test_broken_entry_is_named(content_copy: Path, changes: dict, message: str) -> None:
    filename = edit_first_entry(content_copy, **changes)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert filename in str(caught.value) and message in str(caught.value)


def test_duplicate_id_is_named(content_copy: Path) -> None:
    first = sorted((content_copy / "faq").glob("*.yaml"))
    duplicate_id = yaml.safe_load(first[0].read_text())["entries"][0]["id"]
    edit_first_entry_of(first[1], id=duplicate_id)
    with pytest.raises(ContentError, match="duplicate id"):
        load_content(content_copy)


def edit_first_entry_of(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    data["entries"][0].update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_content_check_cli_exits_non_zero_on_error(content_copy: Path) -> None:
    edit_first_entry(content_copy, answer="")
    result = run_cli(["content", "check"], content_copy.parent, CONTENT_DIR=str(content_copy))
    assert result.returncode != 0
    assert "answer is empty" in result.stderr


def test_content_check_cli_passes_on_real_content(tmp_path: Path) -> None:
    result = run_cli(["content", "check"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "content OK" in result.stdout
