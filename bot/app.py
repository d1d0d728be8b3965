"""Build the application once from settings and hand its parts down."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import logs
from bot.admins import auth
from bot.channels.base import ChannelRegistry
from bot.config import Settings
from bot.console.live import load_published
from bot.content import Content
from bot.context import Context, Route
from bot.db.base import utcnow
from bot.db.session import make_engine, make_session_factory, upgrade
from bot.dispatch import Dispatcher
from bot.matching.index import FaqIndex
from bot.parts import Clock
from bot.voice.hearing import VoiceService, build_voice
from handlers import ROUTES


@dataclass
class App:
    """The bot's parts: settings, database, content, matcher, channels and dispatcher.

    It provides `bot.parts.Parts` and `bot.context.AppParts`, the views the layers below
    take, so none of them imports this module.
    """

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    content: Content
    faq_index: FaqIndex
    clock: Clock = utcnow
    channels: ChannelRegistry = field(default_factory=ChannelRegistry)
    voice: VoiceService | None = None  # None: voice notes get the text-only reply
    dispatcher: Dispatcher = field(init=False)
    content_version: int = 0  # the published content version in use (0: not from the database)

    def now(self) -> datetime:
        """Return the current time (aware, UTC) from the app's clock."""
        return self.clock()

    def use_content(self, content: Content, index: FaqIndex, number: int) -> None:
        """Swap in a published content version (content first: new ids never dangle)."""
        self.content = content
        self.faq_index = index
        self.content_version = number

    def is_admin(self, ctx: Context) -> bool:
        """Return whether the user in this context may use admin commands."""
        return auth.is_admin(ctx)

    def on_admin_refusal(self, ctx: Context, route: Route) -> None:
        """Record a refused attempt at an admin command."""
        auth.record_refusal(ctx, kind=route.kind, key=route.key)


def build_app(
    settings: Settings,
    *,
    clock: Clock = utcnow,
    migrate: bool = True,
    loaded: tuple[Content, FaqIndex] | None = None,
) -> App:
    """Create the engine, load content, build the matcher and the dispatcher.

    Content is the version published in the database (seeded from content/ when there is
    none); `loaded` reuses content and its index instead (read-only; tests share one load).
    """
    logs.protect(settings.secret_values(), settings.log_pseudonym_key)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    sessions = make_session_factory(engine)
    number = 0
    if loaded is None:
        published = load_published(sessions, settings.content_dir, clock(), settings=settings)
        loaded, number = (published.content, published.index), published.number
    content, faq_index = loaded
    app = App(
        settings=settings,
        engine=engine,
        sessions=sessions,
        content=content,
        faq_index=faq_index,
        clock=clock,
        voice=build_voice(settings),
        content_version=number,
    )
    app.dispatcher = Dispatcher(app, ROUTES)
    return app
