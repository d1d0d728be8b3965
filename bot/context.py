"""What a handler gets: the message, the user, a database session and the app's parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.db import repo_flows
from bot.db.models import FlowState, User
from bot.messages import Button, Incoming, Reply, button_rows

if TYPE_CHECKING:
    from bot.app import App


@dataclass
class Context:
    """Per-message context handed to handlers; handlers return replies and send nothing."""

    app: App
    session: Session
    user: User
    incoming: Incoming
    now: datetime
    flow: FlowState | None = None
    args: str = ""
    is_admin: bool = False

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
