"""What every channel adapter offers, its delivery errors, and the registry of channels."""

from __future__ import annotations

from typing import Protocol

from bot.messages import Reply


class DeliveryError(Exception):
    """A message could not be delivered."""


class RecipientBlocked(DeliveryError):
    """The citizen blocked the bot or left (Telegram 403, Zalo unfollow): do not retry."""


class RecipientUnreachable(DeliveryError):
    """The messenger will not deliver now (e.g. outside Zalo's interaction window)."""


class RateLimited(DeliveryError):
    """The messenger asked us to slow down."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MessengerError(DeliveryError):
    """The messenger refused a request for a reason retrying will not fix; `code` says which."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class TransientError(DeliveryError):
    """A network or server error worth retrying later."""


class Channel(Protocol):
    """A messenger adapter: sends replies to a chat and edits messages it sent."""

    name: str

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send one reply; return the messenger's message id."""
        ...

    async def edit(self, chat_id: str, message_id: str, reply: Reply) -> None:
        """Replace the text (and buttons) of a message the bot sent."""
        ...


class ChannelRegistry:
    """The channels that are running, by name, for scheduled and broadcast delivery."""

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> None:
        """Make a channel available for delivery."""
        self._channels[channel.name] = channel

    def get(self, name: str) -> Channel | None:
        """Return the channel of that name, or None when it is not running."""
        return self._channels.get(name)

    def names(self) -> list[str]:
        """Return the names of the running channels."""
        return list(self._channels)
