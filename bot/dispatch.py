"""Route one incoming message to its handler, in one database session, never crashing."""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.context import Context
from bot.db import repo_flows, repo_questions, repo_users, repo_zalo
from bot.flood import FloodGuard, Verdict
from bot.logs import pseudonym
from bot.messages import Incoming, Kind, Reply
from bot.reminders import repo as repo_reminders
from bot.routing import Route, RouteKind

if TYPE_CHECKING:
    from bot.context import AppParts as App
    from bot.db.models import FlowState, User

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 4000
COMMAND_PAYLOAD = "cmd"  # payload "cmd:<name>" presses the command /<name>
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
_HAS_WORD = re.compile(r"\w", re.UNICODE)
PREFETCHED = "prefetched_authors"  # session.info: what `prefetch` read, by account


class Dispatcher:
    """Turn an Incoming into replies through the routing table."""

    def __init__(self, app: App, routes: Sequence[Route]) -> None:
        self.app = app
        self.routes = list(routes)
        self.commands = {r.key: r for r in routes if r.kind is RouteKind.COMMAND}
        self.buttons = {r.key: r for r in routes if r.kind is RouteKind.BUTTON}
        self.flows = {r.key: r for r in routes if r.kind is RouteKind.FLOW}
        self.text_routes = [r for r in routes if r.kind in (RouteKind.TEXT, RouteKind.FALLBACK)]
        self.voice = next((r for r in routes if r.kind is RouteKind.VOICE), None)
        settings = app.settings
        self.flood = FloodGuard(
            settings.flood_burst, settings.flood_window_seconds, settings.user_daily_messages
        )

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Return the replies to one message in a transaction of its own (tests, tools)."""
        with self.app.sessions.begin() as session:
            return self.handle_in(session, incoming)

    def handle_in(
        self,
        session: Session,
        incoming: Incoming,
        *,
        isolate: bool = True,
        counted_as: object = None,
    ) -> list[Reply]:
        """Return the replies to one message within the caller's transaction.

        Isolated, the handler runs in a savepoint: on any error its writes are undone and the
        citizen gets a short apology, while the caller's transaction carries on. Not isolated
        (a batch that is re-run when a handler fails), the error goes to the caller. A message
        handled again under the same `counted_as` counts once against the flood limits.
        """
        messages = self.app.content.messages
        verdict, flows = self._limit(session, incoming, counted_as)
        if verdict is not Verdict.PASS:
            if verdict is Verdict.DROP:
                return []
            seconds = round(self.app.settings.flood_window_seconds)
            return [Reply(messages.text(f"core.{verdict}", seconds=seconds))]
        problem = _input_problem(incoming)
        if problem:
            return [Reply(messages.text(problem))]
        incoming = _sanitize(incoming)
        committed: list[Callable[[], object]] = []
        try:
            with session.begin_nested() if isolate else contextlib.nullcontext():
                replies = self._route(session, incoming, committed, flows)
        except Exception:
            if not isolate:
                raise
            log.exception(
                "handler failed: channel=%s user=%s kind=%s payload prefix=%s",
                incoming.channel,
                pseudonym(incoming.channel, incoming.user_id),
                incoming.kind,
                (incoming.payload or "").partition(":")[0],
            )
            self._release(session, incoming)
            return [Reply(messages.text("core.error"))]
        _after_commit(session, committed)
        return replies

    def prefetch(self, session: Session, incomings: list[Incoming]) -> None:
        """Touch these messages' authors and read their flood counts and flows: two statements.

        For a batch of messages handled in one transaction: `handle_in` then asks no more
        for them, and their questions are logged in one INSERT where the database allows.
        An author with two messages in the batch (a group and their private chat) is left to
        be read at each message, after the first one's writes.
        """
        now = self.app.now()
        settings = self.app.settings
        day = now.astimezone(settings.tz).date()
        seen = Counter((incoming.channel, incoming.user_id) for incoming in incomings)
        alone = [i for i in incomings if seen[(i.channel, i.user_id)] == 1]
        users = repo_users.touch_users(
            session, accounts=[_account_of(incoming) for incoming in alone], now=now
        )
        found = repo_questions.stored_and_flow_many(
            session,
            accounts=list(users),
            day_start=datetime.combine(day, time(), settings.tz),
            recent=now - timedelta(seconds=settings.flood_window_seconds),
        )
        repo_questions.reserve_log_ids(session, len(incomings))
        session.info[PREFETCHED] = {
            account: Known(user, *found.get(account, (0, 0, None)))
            for account, user in users.items()
        }

    def as_typed(self, ctx: Context, text: str) -> list[Reply]:
        """Handle text (e.g. a confirmed voice transcript) as if the citizen had typed it."""
        typed = replace(ctx.incoming, text=text, payload=None, kind=Kind.TEXT, audio=None)
        problem = _input_problem(typed)
        if problem:
            return [ctx.say(problem)]
        typed = _sanitize(typed)
        again = Context(
            app=self.app, session=ctx.session, user=ctx.user, incoming=typed, now=ctx.now
        )
        again.flow, again.admin = ctx.flow, ctx.admin
        return self._run(again)

    def _limit(
        self, session: Session, incoming: Incoming, counted_as: object = None
    ) -> tuple[Verdict, list[FlowState | None]]:
        """Count the message against the user's burst and daily limits (all processes).

        Also return the user's flow state when the database was asked (read in the same
        statement as the counts: one round trip fewer per message).
        """
        now = self.app.now()
        settings = self.app.settings
        day = now.astimezone(settings.tz).date()
        flows: list[FlowState | None] = []

        def stored() -> tuple[int, int]:
            known = _known(session, incoming)
            today, recent, flow = known.stored if known else repo_questions.stored_and_flow(
                session,
                channel=incoming.channel,
                external_id=incoming.user_id,
                day_start=datetime.combine(day, time(), settings.tz),
                recent=now - timedelta(seconds=settings.flood_window_seconds),
            )
            flows.append(flow)
            return today, recent

        key = f"{incoming.channel}:{incoming.user_id}"
        return self.flood.check(key, now, day, stored, token=counted_as), flows

    def _release(self, session: Session, incoming: Incoming) -> None:
        """After a failure, end the user's flow so that bad state cannot trap them.

        In the caller's transaction (a savepoint of its own): a second transaction would wait
        for the first's write lock on SQLite.
        """
        try:
            with session.begin_nested():
                user = repo_users.get_user(
                    session, channel=incoming.channel, external_id=incoming.user_id
                )
                if user is not None:
                    repo_flows.clear_flow(session, user_id=user.id)
        except Exception:  # noqa: BLE001 - the apology still goes out
            log.exception("could not end the flow after a failure")

    def _route(
        self,
        session: Session,
        incoming: Incoming,
        committed: list[Callable[[], object]],
        flows: list[FlowState | None],
    ) -> list[Reply]:
        """Build the context and call the first route that takes the message.

        `flows` holds the user's flow state if `_limit` read it already.
        """
        now = self.app.now()
        known = _known(session, incoming)
        if known is not None:
            user = known.user
        else:
            user = repo_users.touch_user(session, **_account_of(incoming), now=now)
        if incoming.channel == repo_zalo.OA_CHANNEL:  # writing opens Zalo's window again
            repo_reminders.resume_after_window(session, user_id=user.id)
        ctx = Context(
            app=self.app,
            session=session,
            user=user,
            incoming=incoming,
            now=now.astimezone(self.app.settings.tz),
            flow=flows[0] if flows else repo_flows.get_flow(session, user_id=user.id),
            committed=committed,
        )
        notice = self._expire_flow(ctx)
        return notice + self._run(ctx)

    def _run(self, ctx: Context) -> list[Reply]:
        """Call the first route that takes the message (refusing admin routes to others)."""
        incoming = ctx.incoming
        route = self._pick(ctx)
        if route is None:
            return [ctx.say("core.stale_button" if incoming.payload else "core.unknown_command")]
        if route.admin and not ctx.is_admin:
            return self._refuse(ctx, route)
        return route.handler(ctx)

    def _expire_flow(self, ctx: Context) -> list[Reply]:
        """End a flow left untouched too long (admin flows sooner); say so before free text."""
        state = ctx.flow
        if state is None:
            return []
        route = self.flows.get(state.flow)
        settings = self.app.settings
        limit = (
            timedelta(minutes=settings.admin_flow_expiry_minutes)
            if route is not None and route.admin
            else timedelta(hours=settings.flow_expiry_hours)
        )
        if ctx.now - state.updated_at <= limit:
            return []
        ctx.end_flow()
        typed = ctx.incoming.payload is None and not _COMMAND.match(ctx.incoming.text)
        return [ctx.say("core.flow_expired")] if typed else []

    def _refuse(self, ctx: Context, route: Route) -> list[Reply]:
        """Refuse an admin route to a non-admin; drop an admin flow they were left in."""
        if ctx.flow is not None:
            flow_route = self.flows.get(ctx.flow.flow)
            if flow_route is not None and flow_route.admin:
                ctx.end_flow()
        self.app.on_admin_refusal(ctx, route)
        return [ctx.say("core.not_admin")]

    def _pick(self, ctx: Context) -> Route | None:
        """Choose the route: commands, then buttons, then the open flow, then text routes."""
        incoming = ctx.incoming
        if incoming.kind is Kind.VOICE and incoming.payload is None:
            return self.voice
        if incoming.payload is not None:
            prefix, _, rest = incoming.payload.partition(":")
            if prefix == COMMAND_PAYLOAD:  # a menu button that runs a command
                return self.commands.get(rest)
            return self.buttons.get(prefix)
        found = _COMMAND.match(incoming.text)
        if found:
            ctx.args = (found.group(2) or "").strip()
            return self.commands.get(found.group(1).lower())
        if ctx.flow is not None and not incoming.is_group:  # flows are private conversations
            route = self.flows.get(ctx.flow.flow)
            if route is not None:
                return route
            ctx.end_flow()  # a flow that no longer exists must not trap the user
        for route in self.text_routes:
            if route.predicate is None or route.predicate(ctx):
                return route
        return None


@dataclass(frozen=True)
class Known:
    """What `prefetch` recorded and read of one author, for their message in the batch."""

    user: User
    today: int
    recent: int
    flow: FlowState | None

    @property
    def stored(self) -> tuple[int, int, FlowState | None]:
        """Return (questions today, within the flood window, flow state)."""
        return self.today, self.recent, self.flow


def _known(session: Session, incoming: Incoming) -> Known | None:
    """Return what `prefetch` read of the message's author in this transaction, if anything."""
    return session.info.get(PREFETCHED, {}).get((incoming.channel, incoming.user_id))


def _account_of(incoming: Incoming) -> dict[str, str]:
    """Return what `touch_user` records of a message's author."""
    return {
        "channel": incoming.channel,
        "external_id": incoming.user_id,
        # A group is not the user's own chat: keep their private chat (Telegram: their id).
        "chat_id": incoming.user_id if incoming.is_group else incoming.chat_id,
        "display_name": incoming.display_name,
    }


def _after_commit(session: Session, work: list[Callable[[], object]]) -> None:
    """Run the work a handler left once the caller's transaction commits (never on rollback)."""
    if not work:
        return

    def run(_session: Session) -> None:
        for item in work:
            try:
                item()
            except Exception:
                log.exception("work after the commit failed")

    def forget(_session: Session) -> None:
        if event.contains(session, "after_commit", run):
            event.remove(session, "after_commit", run)

    event.listen(session, "after_commit", run, once=True)
    event.listen(session, "after_rollback", forget, once=True)


def _input_problem(incoming: Incoming) -> str | None:
    """Return the message key for input the bot cannot read, or None."""
    if incoming.payload is not None:
        return None
    if incoming.kind is Kind.VOICE and incoming.audio is not None:
        return None  # the voice route answers (the text-only reply when voice is off)
    if incoming.kind not in (Kind.TEXT, Kind.BUTTON):
        return "core.text_only"
    text = incoming.text.replace("\x00", "").strip()
    if not text:
        return "core.empty"
    if len(text) > MAX_TEXT_CHARS:
        return "core.too_long"
    if not _HAS_WORD.search(text):
        return "core.no_words"
    return None


def _sanitize(incoming: Incoming) -> Incoming:
    """Strip NUL bytes and surrounding space from the text."""
    return replace(incoming, text=incoming.text.replace("\x00", "").strip())
