"""Prometheus metrics of the messaging core, in a registry of its own per running bot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from bot.db import repo_inbox, repo_outbox


class QueueCollector(Collector):
    """Read the inbox lag and the outbox depth from the database at each scrape."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """Yield the gauges (nothing when the database does not answer)."""
        try:
            with self.sessions() as session:
                now = self.clock()
                pending, age = repo_inbox.lag(session, now=now)
                depth = repo_outbox.depth(session)
                outbox_age = repo_outbox.oldest_open(session, now=now)
        except Exception:  # noqa: BLE001 - /ready reports the database; metrics stay up
            return
        yield GaugeMetricFamily("bot_inbox_pending", "Updates stored, not handled yet", pending)
        yield GaugeMetricFamily(
            "bot_inbox_lag_seconds", "Age of the oldest update not handled yet", age
        )
        family = GaugeMetricFamily(
            "bot_outbox_depth", "Messages waiting or in flight", labels=["channel", "kind"]
        )
        for (channel, kind), count in sorted(depth.items()):
            family.add_metric([channel, kind], count)
        yield family
        yield GaugeMetricFamily(
            "bot_outbox_lag_seconds", "Age of the oldest due message not sent yet", outbox_age
        )


class Metrics:
    """The counters and histograms the core updates as it works."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry()
        self.received = Counter(
            "bot_updates_received", "Updates stored in the inbox", ["channel"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "bot_updates_duplicate", "Redelivered updates dropped", ["channel"],
            registry=self.registry,
        )
        self.handled = Counter(
            "bot_updates_handled", "Updates handled", ["channel", "result"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "bot_handling_latency_seconds", "From receiving an update to its committed replies",
            ["channel"], registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.sends = Counter(
            "bot_sends", "Send attempts by outcome", ["channel", "kind", "outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "bot_rate_limited", "429 answers from the messenger", ["channel"],
            registry=self.registry,
        )
        self.registry.register(QueueCollector(sessions, clock))

    def render(self) -> bytes:
        """Return the metrics in the Prometheus text format."""
        return generate_latest(self.registry)
