"""Per-user limits: a burst window and a daily budget, whatever channel a message came from.

The guard counts in memory (cheap, per process) and also takes what the database says the
user stored (their questions today and within the window, written by any process): with
several processes, or after a restart, one person still gets the limits once, not N times.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

MAX_TRACKED_USERS = 50_000  # bounded memory: the least recently seen users are forgotten


class Verdict(StrEnum):
    """What to do with one message."""

    PASS = "pass"  # handle it
    SLOW_DOWN = "slow_down"  # first message over the burst limit: say "chậm lại" once
    DAILY_LIMIT = "daily_limit"  # first message over the daily budget: say so once
    DROP = "drop"  # already told: handle nothing, reply nothing


@dataclass
class _Account:
    """What the guard remembers about one user."""

    accepted: deque[datetime]
    warned: bool = False
    day: date | None = None
    today: int = 0
    told_today: bool = False
    token: object = None  # what the last message counted was (e.g. its inbox row)
    verdict: Verdict = Verdict.PASS  # and its verdict


@dataclass
class FloodGuard:
    """Let at most `burst` messages per `window_seconds` and `daily` per day through per user."""

    burst: int
    window_seconds: float
    daily: int
    _accounts: OrderedDict[str, _Account] = field(default_factory=OrderedDict)

    def check(
        self,
        key: str,
        now: datetime,
        day: date,
        stored: Callable[[], tuple[int, int]] | None = None,
        *,
        token: object = None,
    ) -> Verdict:
        """Count one message of the user `key` at `now` (`day` in local time) and judge it.

        `stored` returns what the user stored today and within the window, by any process;
        it is asked only when the counts in memory let the message through (a flood already
        refused here costs no query). The same message judged again (the same `token`, not
        None: its batch was rolled back and re-run) gets its verdict again, counted once.
        """
        account = self._account(key)
        if token is not None and account.token == token:
            return account.verdict
        verdict = self._judge(account, now, day, stored)
        account.token, account.verdict = token, verdict
        return verdict

    def _judge(
        self,
        account: _Account,
        now: datetime,
        day: date,
        stored: Callable[[], tuple[int, int]] | None,
    ) -> Verdict:
        """Count the message and return the verdict."""
        if account.day != day:
            account.day, account.today, account.told_today = day, 0, False
        accepted = account.accepted
        if account.today >= self.daily:
            return self._once(account, "told_today", Verdict.DAILY_LIMIT)
        if (
            len(accepted) == self.burst
            and (now - accepted[0]).total_seconds() < self.window_seconds
        ):
            return self._once(account, "warned", Verdict.SLOW_DOWN)
        if stored is not None:
            today, recent = stored()
            if today >= self.daily:
                return self._once(account, "told_today", Verdict.DAILY_LIMIT)
            if recent >= self.burst:
                return self._once(account, "warned", Verdict.SLOW_DOWN)
        accepted.append(now)
        account.warned = False
        account.today += 1
        return Verdict.PASS

    @staticmethod
    def _once(account: _Account, told: str, verdict: Verdict) -> Verdict:
        """Return the verdict the first time (the user is told once), then DROP."""
        if getattr(account, told):
            return Verdict.DROP
        setattr(account, told, True)
        return verdict

    def _account(self, key: str) -> _Account:
        """Return the user's record, making room by forgetting the least recent users."""
        account = self._accounts.get(key)
        if account is None:
            account = _Account(deque(maxlen=self.burst))
            self._accounts[key] = account
            while len(self._accounts) > MAX_TRACKED_USERS:
                self._accounts.popitem(last=False)
        else:
            self._accounts.move_to_end(key)
        return account
