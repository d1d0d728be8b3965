"""Speed of the study-support finder: loading the catalogue and ranking for a profile."""

from __future__ import annotations

import time
from collections.abc import Iterator

from bot.app import build_app
from bot.config import Settings
from bot.content import load_content
from bot.support.catalogue import load_programmes
from bot.support.finder import profile_from_answers, rank
from tests.bench.support import database, kinds, peak_rss_mb, postgres_missing, reset_peak_rss
from tests.conftest import CONTENT_DIR
from tests.helpers import press, say

RANK_TARGET_MS = 1.0  # per ranking: a button press must feel instant on a busy server
LOAD_TARGET_MS = 200.0  # loading and checking programmes.yaml at start-up
ROUNDS = 2000
STEP_TARGET_MS = 50.0  # one question or the results page, handled end to end
FLOW_ROUNDS = 50
FLOW_MEMORY_MB = 50  # the conversations run in this process, as in the bot's


def run() -> Iterator[tuple[str, str, bool]]:
    """Measure catalogue loading and ranking; yield (target, measured, passed)."""
    content = load_content(CONTENT_DIR)
    started = time.perf_counter()
    catalogue = load_programmes(CONTENT_DIR / "programmes.yaml", content)
    load_ms = (time.perf_counter() - started) * 1000
    target = f"load programmes.yaml < {LOAD_TARGET_MS:.0f} ms"
    yield target, f"{load_ms:.1f} ms", load_ms < LOAD_TARGET_MS
    profiles = [
        profile_from_answers({"who": "child", "work": "union", "goal": "lower-secondary"}),
        profile_from_answers({"who": "me", "work": "farmer", "goal": "vocational"}),
        profile_from_answers({"who": "me", "work": "other", "goal": "literacy"}),
    ]
    started = time.perf_counter()
    for index in range(ROUNDS):
        rank(profiles[index % len(profiles)], catalogue.programmes)
    rank_ms = (time.perf_counter() - started) * 1000 / ROUNDS
    target = f"rank {len(catalogue.programmes)} programmes < {RANK_TARGET_MS} ms"
    yield target, f"{rank_ms:.3f} ms", rank_ms < RANK_TARGET_MS
    yield from postgres_missing()
    for kind in kinds():
        yield from _flow_latency(kind)


def _flow_latency(kind: str) -> Iterator[tuple[str, str, bool]]:
    """Time whole /hotro conversations through the dispatcher, and the memory they add."""
    with database(kind) as url:
        settings = Settings(_env_file=None, database_url=url, content_dir=CONTENT_DIR)
        app = build_app(settings)
        held = reset_peak_rss()
        steps = ["ht:who:child", "ht:work:union", "ht:goal:lower-secondary", "ht:household:poor"]
        timings = []
        for number in range(FLOW_ROUNDS):
            user = f"bench-{number}"
            for payload in steps:
                started = time.perf_counter()
                if payload == steps[0]:
                    say(app, "/hotro", user=user)
                press(app, payload, user=user)
                timings.append((time.perf_counter() - started) * 1000)
        grown = max(0.0, peak_rss_mb() - held)
        app.engine.dispose()
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    target = (
        f"{kind}: /hotro step p95 < {STEP_TARGET_MS:.0f} ms ({FLOW_ROUNDS} conversations), "
        f"memory they add to the process < {FLOW_MEMORY_MB} MB"
    )
    measured = f"{p95:.1f} ms, +{grown:.1f} MB peak RSS (of {peak_rss_mb():.0f} MB)"
    yield target, measured, p95 < STEP_TARGET_MS and grown < FLOW_MEMORY_MB
