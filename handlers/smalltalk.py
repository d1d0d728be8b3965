"""Natural replies to greetings and thanks."""

from __future__ import annotations

from bot.context import Context
from bot.matching.normalize import clean, fold
from bot.messages import Reply
from handlers.start import menu_buttons

# Folded words. A message made only of greeting (or thanks) words and polite words is small
# talk; anything else, even after a greeting, is a question for the FAQ.
GREETING_WORDS = {"chao", "xin", "hello", "helo", "hi", "alo", "buoi", "sang", "trua", "chieu"}
THANKS_WORDS = {"cam", "on", "thanks", "thank", "you", "tks", "thks", "ok", "oke", "okay", "vang"}
POLITE_WORDS = {"a", "ak", "da", "oi", "nha", "nhe", "nhen", "nghen", "ne", "ad", "admin", "bot"}
POLITE_WORDS |= {"nhieu", "ban", "em", "anh", "chi", "moi", "nguoi", "mn", "luon", "vay", "z"}
POLITE_WORDS |= {"rat", "qua", "lam", "toi", "tui", "minh", "co", "bac", "chu"}
MAX_WORDS = 8


def _kind(ctx: Context) -> str | None:
    """Return 'greeting' or 'thanks' for short messages that are only that."""
    words = fold(clean(ctx.text)).split()
    topical = [w for w in words if w not in POLITE_WORDS]
    if not topical or len(words) > MAX_WORDS:
        return None
    if all(w in GREETING_WORDS for w in topical) and ("chao" in topical or len(topical) <= 2):
        return "greeting"
    if all(w in THANKS_WORDS for w in topical):
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
