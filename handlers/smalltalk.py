"""Natural replies to greetings and thanks."""

from __future__ import annotations

from bot.context import Context
from bot.matching.normalize import clean, fold
from bot.messages import Reply
from handlers.start import menu_buttons

GREETINGS = {"chao", "xin chao", "hello", "hi", "alo", "chao buoi sang", "chao buoi toi", "helo"}
THANKS = {
    "cam on",
    "thanks",
    "thank you",
    "thank",
    "tks",
    "thks",
    "ok",
    "oke",
    "vang",
    "cam on nhe",
}
POLITE_WORDS = {"a", "ak", "da", "oi", "nha", "nhe", "nhen", "nghen", "ne", "ad", "admin", "bot"}
POLITE_WORDS |= {"nhieu", "ban", "em", "anh", "chi", "moi", "nguoi", "mn", "luon", "vay", "z"}


def _kind(ctx: Context) -> str | None:
    """Return 'greeting' or 'thanks' for short messages that are only that."""
    words = [w for w in fold(clean(ctx.text)).split() if w not in POLITE_WORDS]
    phrase = " ".join(words)
    if len(words) > 4:
        return None
    if phrase in GREETINGS or (words and words[0] == "chao" and len(words) <= 2):
        return "greeting"
    if phrase in THANKS:
        return "thanks"
    return None


def is_smalltalk(ctx: Context) -> bool:
    """Whether the text is a greeting or thanks and nothing more."""
    return _kind(ctx) is not None


def handle_smalltalk(ctx: Context) -> list[Reply]:
    """Greet back, or say you're welcome."""
    if _kind(ctx) == "greeting":
        return [ctx.reply(ctx.t("smalltalk.greeting"), menu_buttons(ctx), per_row=2)]
    return [ctx.say("smalltalk.thanks")]
