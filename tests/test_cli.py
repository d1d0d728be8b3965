"""The machine interface: `khuyenhoc ask --json`, and configuration errors."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli


def test_ask_json_reads_lines_and_prints_one_object_each(tmp_path: Path) -> None:
    questions = "tuần lễ học tập suốt đời là khi nào\ncông thức nấu phở bò Nam Định\nhọc bổng\n"
    result = run_cli(["ask", "--json", "-"], tmp_path, stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    for item in lines:
        assert set(item) == {"status", "id", "score", "candidates", "reply"}
        assert item["status"] in {"answer", "clarify", "fallback"}
        assert 0 <= item["score"] <= 100
        assert (item["id"] is None) == (item["status"] != "answer")
        scores = [c["score"] for c in item["candidates"]]
        assert scores == sorted(scores, reverse=True)
    assert lines[0]["status"] == "answer" and lines[0]["id"] == "tuan-le-hoc-tap"
    assert lines[1]["status"] == "fallback"


def test_ask_json_reports_an_action_as_its_own_decision(tmp_path: Path) -> None:
    questions = "please stop sending me notifications\ncho tui gặp cán bộ nói chuyện chút\n"
    result = run_cli(["ask", "--json", "-"], tmp_path, stdin=questions)
    assert result.returncode == 0, result.stderr
    stop, staff = [json.loads(line) for line in result.stdout.splitlines()]
    assert stop["status"] == "action" and stop["action"] == "tatthongbao"
    assert stop["id"] == "bot-thong-bao" and "/tatthongbao" in stop["reply"]
    assert staff["status"] == "action" and staff["action"] == "staff" and staff["id"] is None
    assert "cán bộ" in staff["reply"]


def test_ask_without_json_prints_the_citizen_reply(tmp_path: Path) -> None:
    result = run_cli(["ask", "tuần lễ học tập suốt đời là khi nào"], tmp_path)
    assert result.returncode == 0
    assert "Nguồn" in result.stdout


def test_wrong_setting_names_the_variable(tmp_path: Path) -> None:
    result = run_cli(["content", "check"], tmp_path, WEBHOOK_PORT="abc")
    assert result.returncode == 2
    assert "WEBHOOK_PORT" in result.stderr and "Traceback" not in result.stderr
