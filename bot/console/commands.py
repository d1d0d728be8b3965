"""Console commands: add an account, export the published content, import YAML as a draft."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.console import accounts, drafts, versions
from bot.console.snapshot import check_files, read_tree, write_tree
from bot.content import ContentError
from bot.db.base import utcnow
from bot.db.repo_audit import audit
from bot.db.session import make_engine, make_session_factory, upgrade

CLI_WHO = "cli"


def _sessions(settings: Settings) -> sessionmaker[Session]:
    """Return sessions on the configured database, its schema brought up to date."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)


def _read_password(from_stdin: bool) -> str:
    """Read the new password from standard input, or ask for it twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def cmd_add_user(args: argparse.Namespace, settings: Settings) -> int:
    """Create a console account, or set a new password and role for an existing one."""
    try:
        password = _read_password(args.password_stdin)
        with _sessions(settings).begin() as session:
            user = accounts.add_user(
                session, name=args.name, password=password, role=args.role, now=utcnow()
            )
            detail = f"{user.name} as {user.role}"
            audit(
                session,
                who=CLI_WHO,
                action="console.add_user",
                detail=detail,
                result="ok",
                now=utcnow(),
            )
    except accounts.AccountError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"console account {args.name} saved with role {args.role}")  # noqa: T201
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the published content version as YAML files into a folder."""
    folder = Path(args.out) if args.out else settings.content_dir
    with _sessions(settings).begin() as session:
        version = versions.ensure_seeded(session, settings.content_dir, utcnow())
        number, files = version.number, dict(version.files)
    folder.mkdir(parents=True, exist_ok=True)
    write_tree(files, folder)
    print(f"content version {number} written to {folder} ({len(files)} files)")  # noqa: T201
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Load a folder of YAML content as the draft (it replaces the draft's files)."""
    folder = Path(args.folder) if args.folder else settings.content_dir
    files = read_tree(folder)
    problem = check_files(files)
    if problem is not None:
        raise ContentError(problem)
    with _sessions(settings).begin() as session:
        versions.ensure_seeded(session, settings.content_dir, utcnow())
        drafts.apply(
            session,
            who=CLI_WHO,
            what=f"nạp YAML từ {folder}",
            change=lambda _current: files,
            now=utcnow(),
        )
        audit(
            session,
            who=CLI_WHO,
            action="console.import",
            detail=str(folder),
            result="ok",
            now=utcnow(),
        )
    print(f"{folder} loaded as the draft; review and publish it in the console")  # noqa: T201
    return 0


def add_arguments(
    sub: argparse._SubParsersAction, content_sub: argparse._SubParsersAction
) -> None:
    """Add the `console` command and the `content export/import` subcommands."""
    console = sub.add_parser("console", help="web console tools")
    console_sub = console.add_subparsers(dest="console_command", required=True)
    add_user = console_sub.add_parser("add-user", help="create a console account")
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=accounts.ROLES)
    add_user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    export = content_sub.add_parser("export", help="write the published version as YAML")
    export.add_argument("--out", default=None, help="folder (default: CONTENT_DIR)")
    imported = content_sub.add_parser("import", help="load a YAML folder as the draft")
    imported.add_argument("folder", nargs="?", default=None, help="folder (default: CONTENT_DIR)")
