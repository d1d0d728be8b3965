"""Greeting, help, the main menu and cancelling the current step."""

from __future__ import annotations

from bot.campaigns import repo as repo_campaigns
from bot.context import Context
from bot.messages import Button, Reply

# Main-menu buttons: (command, message key of the label). A button shows only when its
# command exists, so features appear in the menu as they are added.
START_MENU = [
    ("dangky", "start.btn_register"),
    ("tudanhgia", "start.btn_assess"),
    ("hotro", "start.btn_support"),
    ("nhacnho", "start.btn_remind"),
    ("help", "start.btn_help"),
]


def menu_buttons(ctx: Context) -> list[Button]:
    """Return the main-menu buttons for the commands that exist."""
    commands = ctx.app.dispatcher.commands
    return [
        Button(ctx.t(label), payload=f"cmd:{name}")
        for name, label in START_MENU
        if name in commands
    ]


def handle_start(ctx: Context) -> list[Reply]:
    """Greet the citizen and show what the bot can do; `/start <code>` greets for its place."""
    entry = repo_campaigns.get_code(ctx.session, ctx.args) if ctx.args else None
    if entry is None:  # no code, or one from an old poster: the plain greeting
        return [ctx.reply(ctx.t("start.greeting"), menu_buttons(ctx), per_row=2)]
    repo_campaigns.remember_source(ctx.session, user_id=ctx.user.id, code=entry.code, now=ctx.now)
    if entry.place_name:
        text = ctx.t("campaigns.greeting_place", place=entry.place_name)
    else:
        text = ctx.t("campaigns.greeting_campaign", title=entry.title)
    return [ctx.reply(text, menu_buttons(ctx), per_row=2)]


def handle_help(ctx: Context) -> list[Reply]:
    """List the commands a citizen can use."""
    messages = ctx.app.content.messages
    lines = [ctx.t("start.help_intro")]
    for route in ctx.app.dispatcher.routes:
        key = f"commands.{route.key}"
        if route.in_menu and key in messages:
            lines.append(f"/{route.key} — {messages.text(key)}")
    lines.append(ctx.t("start.help_outro"))
    return [ctx.reply("\n".join(lines))]


def handle_cancel(ctx: Context) -> list[Reply]:
    """Leave the current multi-step flow, if any."""
    if ctx.end_flow() is None:
        return [ctx.say("start.nothing_to_cancel")]
    return [ctx.reply(ctx.t("start.cancelled"), menu_buttons(ctx), per_row=2)]
