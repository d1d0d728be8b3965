"""Content rules: a short first screen, sources fit to show a citizen, not only foreign pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_content
from bot.content.checks import content_warnings, first_screen_sizes
from bot.content.faq_screens import FIRST_SCREEN_MAX_CHARS
from tests.conftest import CONTENT_DIR
from tests.helpers import run_cli


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit_entry(folder: Path, faq_id: str, **changes: object) -> None:
    for path in (folder / "faq").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        for entry in data["entries"]:
            if entry["id"] == faq_id:
                entry.update(changes)
                path.write_text(yaml.safe_dump(data, allow_unicode=True))
                return
    raise AssertionError(faq_id)


def test_real_content_passes_every_rule() -> None:
    content = load_content(CONTENT_DIR)
    sizes = first_screen_sizes(content.faq, content.messages)
    assert max(sizes.values()) <= FIRST_SCREEN_MAX_CHARS
    assert content_warnings(content.faq, content.sections) == []
    for entry in content.faq.values():
        assert "http" not in entry.answer and "http" not in entry.source_note, entry.id


def test_a_long_first_screen_is_rejected_with_the_way_out(folder: Path) -> None:
    edit_entry(folder, "tuan-le-hoc-tap", answer="Tuần lễ học tập suốt đời. " * 30)
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    message = str(caught.value)
    assert "tuan-le-hoc-tap" in message and "mo-hinh.yaml" in message
    assert "first screen" in message and "move the rest to details" in message


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("Tổng hợp chung (shared/spec/domain-facts.md §6)", "repository file"),
        ("Ghi chú nội bộ content/faq/ho-tro.yaml", "repository file"),
        ("lawnet.vn/giao-duc/en/guidelines-for-registering-…-16408.html", "cut-short link"),
        ("sggp.org.vn/...post713478.html", "cut-short link"),
    ],
)
def test_unfit_sources_are_rejected(folder: Path, source: str, problem: str) -> None:
    edit_entry(folder, "tuan-le-hoc-tap", sources=["QĐ 1315/QĐ-TTg", source])
    with pytest.raises(ContentError, match=problem):
        load_content(folder)


def test_a_link_in_the_short_source_line_is_rejected(folder: Path) -> None:
    edit_entry(folder, "tuan-le-hoc-tap", source_note="Nguồn: sggpnews.org.vn")
    with pytest.raises(ContentError, match="source_note has a link"):
        load_content(folder)


def test_a_programme_citing_a_repository_file_is_rejected(folder: Path) -> None:
    path = folder / "programmes.yaml"
    data = yaml.safe_load(path.read_text())
    data["programmes"][0]["sources"] = ["shared/spec/domain-facts.md §3"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError, match="programmes.yaml.*repository file"):
        load_content(folder)


def test_only_foreign_language_sources_are_flagged_by_content_check(
    folder: Path, tmp_path: Path
) -> None:
    english = [
        "https://e.vnexpress.net/news/news/two-vietnamese-representatives-enter-unesco-network",
        "lawnet.vn/giao-duc/en/criteria-for-standardized-literates-3455.html",
    ]
    edit_entry(folder, "thanh-pho-hoc-tap", sources=english)
    edit_entry(folder, "tuan-le-hoc-tap", sources=["QĐ 1315/QĐ-TTg (en.nhandan.vn)"])
    result = run_cli(["content", "check"], tmp_path, CONTENT_DIR=str(folder))
    assert result.returncode == 0
    flagged = [line for line in result.stdout.splitlines() if line.startswith("warning:")]
    assert len(flagged) == 1 and "thanh-pho-hoc-tap" in flagged[0]
    assert "foreign-language" in flagged[0]


def test_content_check_reports_first_screen_lengths(tmp_path: Path) -> None:
    result = run_cli(["content", "check"], tmp_path)
    assert result.returncode == 0
    assert f"(limit {FIRST_SCREEN_MAX_CHARS})" in result.stdout and "median" in result.stdout
    assert "warning:" not in result.stdout


def test_a_sources_screen_longer_than_one_message_is_rejected(folder: Path) -> None:
    many = [
        f"QĐ {n}/QĐ-TTg về một chủ đề rất dài cần được trích dẫn đầy đủ ở đây" for n in range(40)
    ]
    edit_entry(folder, "tuan-le-hoc-tap", sources=many)
    with pytest.raises(ContentError, match="sources screen has .* over 1500"):
        load_content(folder)
