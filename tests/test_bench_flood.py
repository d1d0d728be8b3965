"""The flood bench still drives the dispatcher as it is (it replaces FloodGuard.check)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench import bench_flood


def test_the_flood_bench_runs_against_the_current_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_flood, "MESSAGES", 4)
    target, measured, _passed = bench_flood._measure("SQLite", f"sqlite:///{tmp_path}/b.db")
    assert "database basis" in target
    assert "ms per message" in measured
