"""Curators' loop: /cauhoimoi, `khuyenhoc unanswered` and `khuyenhoc eval`."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.matching.curation import Item, group_questions
from tests.conftest import CONTENT_DIR, AppFactory
from tests.helpers import press, run_cli, say, texts

ADMIN_USER = "admin"


def test_alike_questions_are_grouped_with_counts_and_staff_marks() -> None:
    items = [
        Item("giá vàng hôm nay", "giá vàng hôm nay", left_for_staff=True),
        Item("gia vang hom nay bao nhieu", "giá vàng hôm nay bao nhiêu"),
        Item("Giá vàng hôm nay?", "giá vàng hôm nay"),
        Item("thời tiết mai", "thời tiết mai"),
        Item("tuần lễ học tập", "tuần lễ học tập", disliked_id="tuan-le-hoc-tap"),
    ]
    groups = group_questions(items)
    assert [(g.count, g.left_for_staff) for g in groups][:1] == [(3, 1)]
    assert len(groups) == 3
    assert any(g.disliked_id == "tuan-le-hoc-tap" for g in groups)


def test_admin_lists_unanswered_and_disliked_questions(app: App) -> None:
    for user in ("u1", "u2"):
        say(app, "giá vàng hôm nay bao nhiêu", user=user)
    replies = say(app, "Giá vàng hôm nay?", user="u3")
    press(
        app,
        next(b.payload for r in replies for b in r.all_buttons() if "staff:" in b.payload),
        user="u3",
    )
    say(app, "tuần lễ học tập suốt đời là khi nào", user="u4")
    press(app, "fb:4:0", user="u4")
    listing = texts(say(app, "/cauhoimoi", user=ADMIN_USER))
    lines = listing.splitlines()
    assert "3 lần" in lines[1] and "gửi cán bộ" in lines[1] and "vàng" in lines[1]
    assert "👎" in listing and "tuan-le-hoc-tap" in listing


def test_non_admin_is_refused(app: App) -> None:
    say(app, "giá vàng hôm nay bao nhiêu", user="u1")
    reply = texts(say(app, "/cauhoimoi", user="u1"))
    assert "chỉ dành cho cán bộ" in reply and "vàng" not in reply


def test_admin_gets_a_clear_reply_when_nothing_is_pending(sqlite_app: App) -> None:
    assert "chưa có câu hỏi" in texts(say(sqlite_app, "/cauhoimoi 7", user=ADMIN_USER))
    assert "số ngày" in texts(say(sqlite_app, "/cauhoimoi abc", user=ADMIN_USER))


def test_cli_unanswered_lists_grouped_questions(tmp_path: Path, make_app: AppFactory) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'cli.db'}")  # the database the CLI will read
    for user in ("u1", "u2", "u3"):
        say(app, "giá vàng hôm nay bao nhiêu", user=user)
    say(app, "thời tiết ngày mai", user="u1")
    app.engine.dispose()
    result = run_cli(["unanswered", "--limit", "5"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "3 lần" in lines[1] and "vàng" in lines[1]
    assert "1 lần" in lines[2] and "thời tiết" in lines[2]
    empty = run_cli(["unanswered", "--days", "1"], tmp_path)  # the fake clock is in 2026-03
    assert "chưa có câu hỏi" in empty.stdout


def test_cli_eval_prints_misses_then_summary(tmp_path: Path) -> None:
    data = tmp_path / "set.tsv"
    data.write_text(
        "question\texpected\n"
        "tuần lễ học tập suốt đời là khi nào\ttuan-le-hoc-tap\n"
        "học bổng\txin-hoc-bong,quy-khuyen-hoc\n"
        "giá vàng hôm nay\t-\n"
        "tuần lễ học tập suốt đời là khi nào\tgia-dinh-hoc-tap\n",
        encoding="utf-8",
    )
    result = run_cli(["eval", str(data)], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("answer accuracy 0.333 (1/3)")
    assert "confidently wrong 0.333" in lines[-1] and "out-of-scope declined 1.000" in lines[-1]
    assert "p99" in lines[-1]
    assert any(line.startswith("WRONG") for line in lines[:-1])
    assert any(line.startswith("OFFERED") for line in lines[:-1])
    curve = [line for line in lines if line.startswith("reliability p ")]
    assert curve and all("predicted" in line and "observed" in line for line in curve)
    assert str(CONTENT_DIR)  # the CLI reads the real content
