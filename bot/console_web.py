"""Mount the staff web console on the bot's web server, wired to the running app."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable

from starlette.routing import Mount

from bot.console.figures import eval_paths
from bot.console.web_app import build_console_app
from bot.console.web_common import ConsoleDeps
from bot.content import Content
from bot.context import AppParts as App
from handlers.faq import answer_reply

CONSOLE_PATH = "/console"


def answer_preview(app: App) -> Callable[[Content, str], tuple[str, list[list[str]]]]:
    """Return a function giving an entry's answer and button labels as the bot sends them."""

    def preview(content: Content, faq_id: str) -> tuple[str, list[list[str]]]:
        shown = copy.copy(app)
        shown.content = content
        reply = answer_reply(shown, faq_id, 0)
        return reply.text, [[b.label for b in row] for row in reply.buttons]

    return preview


def console_route(app: App, reload: Callable[[], Awaitable[object]] | None = None) -> Mount:
    """Return the console, mounted at /console, for the bot's web server."""
    deps = ConsoleDeps(
        settings=app.settings,
        sessions=app.sessions,
        clock=app.now,
        live=lambda: (app.content, app.faq_index),
        preview=answer_preview(app),
        reload=reload,
        eval_paths=eval_paths(app.settings.console_eval_files),
        parts=app,
    )
    return Mount(CONSOLE_PATH, app=build_console_app(deps, mount_path=CONSOLE_PATH))
