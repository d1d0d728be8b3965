"""`khuyenhoc code add|list|poster`: entry codes, their links and A4 posters from the shell."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.campaigns import repo, service
from bot.campaigns.repo import CodeError
from bot.config import Settings
from bot.content import Content, load_content
from bot.db.base import utcnow
from bot.db.session import make_engine, make_session_factory, upgrade


def add_arguments(sub: Any) -> None:
    """Add the `code` command and its subcommands to the parser."""
    code = sub.add_parser("code", help="deep-link codes and QR posters")
    code_sub = code.add_subparsers(dest="code_command", required=True)
    add = code_sub.add_parser("add", help="create a code for a xã/phường or a campaign")
    add.add_argument("code", help="1-64 of A-Z a-z 0-9 _ -")
    add.add_argument("--xa", default=None, help="the xã/phường citizens of the poster live in")
    add.add_argument("--title", default=None, help="name shown (default: the xã/phường)")
    code_sub.add_parser("list", help="list the codes with their links")
    poster = code_sub.add_parser("poster", help="write a code's A4 poster (PNG)")
    poster.add_argument("code")
    poster.add_argument("--out", required=True, help="PNG file to write")


@dataclass
class Offline:
    """What a command needs without the running bot: the database, content and the time."""

    engine: Engine
    sessions: sessionmaker[Session]
    content: Content

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        return utcnow()


def offline(settings: Settings) -> Offline:
    """Open the database (migrated) and load the content for a command."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return Offline(engine, make_session_factory(engine), load_content(settings.content_dir))


def cmd_add(args: argparse.Namespace, settings: Any) -> int:
    """Create a code and print its links."""
    app = offline(settings)
    try:
        with app.sessions.begin() as session:
            entry = service.create_code(
                session, app.content, code=args.code, title=args.title, place=args.xa,
                created_by="cli", now=app.now(),
            )  # fmt: skip
            _print_code(settings, entry)
    except CodeError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    finally:
        app.engine.dispose()
    return 0


def cmd_list(args: argparse.Namespace, settings: Any) -> int:
    """Print every code with its links."""
    app = offline(settings)
    with app.sessions() as session:
        for entry in repo.list_codes(session):
            _print_code(settings, entry)
    app.engine.dispose()
    return 0


def cmd_poster(args: argparse.Namespace, settings: Any) -> int:
    """Write the A4 poster of a code."""
    app = offline(settings)
    try:
        with app.sessions() as session:
            entry = repo.get_code(session, args.code)
            if entry is None:
                print(f"error: no active code {args.code!r}", file=sys.stderr)  # noqa: T201
                return 2
            data = service.poster(settings, app.content, entry)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    finally:
        app.engine.dispose()
    with open(args.out, "wb") as handle:
        handle.write(data)
    print(f"poster written to {args.out}", file=sys.stderr)  # noqa: T201
    return 0


def _print_code(settings: Any, entry: Any) -> None:
    """Print one code: its title, place and links."""
    links = service.links_of(settings, entry.code)
    place = entry.place_name or "-"
    telegram = links.telegram or "(set TELEGRAM_BOT_USERNAME)"
    print(f"{entry.code}\t{entry.title}\t{place}\t{telegram}\t{links.zalo or '-'}")  # noqa: T201
