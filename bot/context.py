"""What a handler gets and how it is reached: Context, Route, and the app parts both use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from bot.db import repo_flows
from bot.db.models import FlowState, User
from bot.messages import Button, Incoming, Reply, button_rows
from bot.parts import Parts

if TYPE_CHECKING:
    from bot.matching.index import FaqIndex
    from bot.voice.hearing import VoiceService

Handler = Callable[["Context"], "list[Reply]"]
Predicate = Callable[["Context"], bool]


class RouteKind(StrEnum):
    """How a route is chosen."""

    COMMAND = "command"
    BUTTON = "button"
    FLOW = "flow"
    TEXT = "text"
    VOICE = "voice"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Route:
    """One entry of the routing table."""

    kind: RouteKind
    key: str
    handler: Handler
    admin: bool = False
    predicate: Predicate | None = None
    in_menu: bool = False


class RouteTable(Protocol):
    """The dispatcher as handlers and channels see it: its routes, and handling a message."""

    routes: list[Route]
    commands: dict[str, Route]
    buttons: dict[str, Route]

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Return the replies to one message."""
        ...

    def as_typed(self, ctx: Context, text: str) -> list[Reply]:
        """Handle text (a confirmed voice transcript) as if the citizen had typed it."""
        ...


class AppParts(Parts, Protocol):
    """What the dispatcher, handlers and channels use of the app; `bot.app.App` provides it.

    Besides the shared Parts: the FAQ matcher, the route table and the admin checks.
    """

    faq_index: FaqIndex
    dispatcher: RouteTable
    voice: VoiceService | None  # None: voice notes get the text-only reply

    def is_admin(self, ctx: Context) -> bool:
        """Return whether the user in this context may use admin commands."""
        ...

    def on_admin_refusal(self, ctx: Context, route: Route) -> None:
        """Record a refused attempt at an admin command."""
        ...



@dataclass
class Context:
    """Per-message context handed to handlers; handlers return replies and send nothing."""

    app: AppParts
    session: Session
    user: User
    incoming: Incoming
    now: datetime
    flow: FlowState | None = None
    args: str = ""
    admin: bool | None = None  # None: not asked yet (see `is_admin`)
    # Work to do once the message's transaction has committed (e.g. remove deleted data's
    # files); the dispatcher runs it, and skips it when the transaction fails.
    committed: list[Callable[[], object]] = field(default_factory=list)

    @property
    def is_admin(self) -> bool:
        """Whether the user may use admin commands (asked of the app once, when first needed)."""
        if self.admin is None:
            self.admin = self.app.is_admin(self)
        return self.admin

    @is_admin.setter
    def is_admin(self, value: bool) -> None:
        self.admin = value

    def after_commit(self, work: Callable[[], object]) -> None:
        """Run `work` after this message's changes are committed."""
        self.committed.append(work)

    @property
    def text(self) -> str:
        """The citizen's text (for a command: what follows the command)."""
        return self.incoming.text

    @property
    def payload(self) -> str:
        """The pressed button's payload, or an empty string."""
        return self.incoming.payload or ""

    def t(self, key: str, **values: object) -> str:
        """Return a message template from content, filled in."""
        return self.app.content.messages.text(key, **values)

    def reply(self, text: str, buttons: list[Button] | None = None, per_row: int = 1) -> Reply:
        """Build a reply with optional buttons laid out `per_row` to a row."""
        return Reply(text, button_rows(buttons or [], per_row))

    def say(self, key: str, buttons: list[Button] | None = None, **values: object) -> Reply:
        """Build a reply from a message template."""
        return self.reply(self.t(key, **values), buttons)

    def start_flow(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Put the user into a flow at the given step."""
        self.flow = repo_flows.set_flow(
            self.session, user_id=self.user.id, flow=flow, step=step, data=data or {}, now=self.now
        )

    def set_step(self, step: str, data: dict[str, Any] | None = None) -> None:
        """Move the current flow to another step, optionally replacing its data."""
        assert self.flow is not None, "set_step outside a flow"
        new_data = self.flow.data if data is None else data
        self.start_flow(self.flow.flow, step, new_data)

    def end_flow(self) -> str | None:
        """Leave the current flow; return its name."""
        self.flow = None
        return repo_flows.clear_flow(self.session, user_id=self.user.id)
