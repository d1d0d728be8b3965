"""Messenger-independent incoming messages and replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

MAX_PAYLOAD_BYTES = 64  # Telegram's callback_data limit; the smallest of our channels.


class Kind(StrEnum):
    """What a citizen sent."""

    TEXT = "text"
    BUTTON = "button"
    STICKER = "sticker"
    PHOTO = "photo"
    VOICE = "voice"
    FILE = "file"
    OTHER = "other"


class AudioTooLarge(Exception):
    """A voice note is bigger than the caller will download."""


@dataclass(frozen=True)
class AudioRef:
    """A voice note the channel can download, and what the voice step made of it."""

    ref: str  # the channel's handle for the download: a Telegram file_id, a Zalo file URL
    seconds: float | None = None  # the length the messenger reported, when it did
    transcript: str | None = None  # set by the voice step: what was heard
    problem: str | None = None  # set by the voice step instead: why nothing was heard


# A channel's download of a voice note: (the note, the most bytes to accept) -> its bytes.
AudioFetch = Callable[[AudioRef, int], Awaitable[bytes]]


@dataclass(frozen=True)
class Incoming:
    """One message or button press from a citizen, whatever the messenger."""

    channel: str
    user_id: str
    chat_id: str
    text: str = ""
    payload: str | None = None
    kind: Kind = Kind.TEXT
    display_name: str = ""
    is_group: bool = False
    audio: AudioRef | None = None  # a voice note (kind VOICE) the channel can fetch


@dataclass(frozen=True)
class Button:
    """A button under a reply: a payload sent back when pressed, or a link."""

    label: str
    payload: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.payload is None) == (self.url is None):
            raise ValueError("a button needs exactly one of payload or url")
        if self.payload is not None and len(self.payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload over {MAX_PAYLOAD_BYTES} bytes: {self.payload!r}")


@dataclass(frozen=True)
class Attachment:
    """A file or image sent with a reply."""

    filename: str
    data: bytes
    is_image: bool = False


@dataclass(frozen=True)
class Address:
    """A chat on a channel, for a reply that goes somewhere other than the sender's chat."""

    channel: str
    chat_id: str
    user_id: int | None = None  # the users.id of the recipient, when known


@dataclass(frozen=True)
class Reply:
    """One message the bot sends back; buttons are given as rows."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    # The citizen may type a number as the answer (e.g. a score): channels without real
    # buttons then label choices with letters so that typed digits stay text.
    numbers_are_answers: bool = False
    # None: to the chat the message came from. Set: to another chat (e.g. a ticket posted to
    # the staff group, or a staff answer to the citizen); the messaging core delivers it there.
    to: Address | None = None

    def all_buttons(self) -> list[Button]:
        """Return the buttons in reading order."""
        return [button for row in self.buttons for button in row]


def button_rows(buttons: list[Button], per_row: int = 1) -> tuple[tuple[Button, ...], ...]:
    """Arrange buttons into rows of at most `per_row`."""
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks under the limit, at paragraph, line or sentence ends."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(". "))
        cut = cut + 1 if cut > limit // 2 else limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    chunks.append(rest)
    return chunks
