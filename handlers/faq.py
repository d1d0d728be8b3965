"""Answer free-text questions from the FAQ; clarify when unsure, decline when out of scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.content.faq_screens import first_screen, screen_buttons
from bot.context import Context
from bot.db import repo_questions
from bot.matching.index import MatchResult, Status
from bot.messages import Button, Reply, button_rows
from bot.support.links import finder_rows
from handlers import reminder_list
from handlers.faq_actions import action_buttons

if TYPE_CHECKING:
    from bot.context import AppParts as App


def handle_question(ctx: Context) -> list[Reply]:
    """Match the question, log it, and answer, clarify or fall back."""
    result = ctx.app.faq_index.match(ctx.text)
    # An action is logged as answered: the dashboard counts answered, clarified, declined.
    status = Status.ANSWER if result.status is Status.ACTION else result.status
    log_id = repo_questions.log_question(
        ctx.session,
        user_id=ctx.user.id,
        channel=ctx.user.channel,
        text=ctx.text,
        normalized=result.normalized,
        status=status,
        matched_id=result.id,
        score=result.score,
        now=ctx.now,
    )
    return [render(ctx.app, result, log_id)]


def render(app: App, result: MatchResult, log_id: int) -> Reply:
    """Build the reply the citizen sees for a match decision."""
    messages = app.content.messages
    if result.status is Status.ACTION and result.id is None:  # asks for a person
        staff = Button(messages.text("faq.leave_for_staff"), payload=f"staff:{log_id}")
        help_button = Button(messages.text("faq.what_can_you_do"), payload="cmd:help")
        return Reply(messages.text("faq.to_staff"), button_rows([staff, help_button]))
    if result.status in (Status.ANSWER, Status.ACTION) and result.id is not None:
        actions = action_buttons(app, result.id, result.action)
        others = [c.id for c in result.alternatives]
        return answer_reply(app, result.id, log_id, actions, others)
    if result.status is Status.CLARIFY:
        buttons = action_buttons(app, result.candidates[0].id)
        buttons += [
            Button(app.content.faq[c.id].question, payload=f"faq:{c.id}")
            for c in result.candidates
        ]
        buttons.append(Button(messages.text("faq.none_of_these"), payload=f"staff:{log_id}"))
        return Reply(messages.text("faq.clarify"), button_rows(buttons))
    buttons = [
        Button(messages.text("faq.leave_for_staff"), payload=f"staff:{log_id}"),
        Button(messages.text("faq.what_can_you_do"), payload="cmd:help"),
    ]
    return Reply(fallback_text(app, result), button_rows(buttons))


def fallback_text(app: App, result: MatchResult) -> str:
    """Return the polite decline, naming where to ask when an out-of-scope theme says so."""
    messages = app.content.messages
    theme = app.content.sections.get("out_of_scope", {}).get(result.declined or "")
    if theme is not None and theme.reply_hint:
        return messages.text("faq.fallback_elsewhere", where=theme.reply_hint)
    return messages.text("faq.fallback")


def answer_reply(
    app: App,
    faq_id: str,
    log_id: int | None,
    actions: list[Button] | None = None,
    alternatives: list[str] | None = None,
) -> Reply:
    """Return an entry's first screen with actions, Xem thêm/Nguồn, runners-up, related, 👍/👎.

    Runners-up (`alternatives`) follow an answer the matcher was not sure of, under
    "Hoặc Anh/Chị muốn hỏi:".
    """
    entry = app.content.faq[faq_id]
    messages = app.content.messages
    text = first_screen(entry, messages)
    if alternatives:
        text += f"\n\n{messages.text('faq.or_maybe')}"
    rows: list[tuple[Button, ...]] = [(b,) for b in actions or ()]
    rows.append(screen_buttons(entry, messages))
    shown = [*(alternatives or ()), *(r for r in entry.related if r not in (alternatives or ()))]
    rows += [(Button(app.content.faq[r].question, payload=f"faq:{r}"),) for r in shown]
    rows += finder_rows(app, faq_id)
    rows.extend(reminder_list.event_button_rows(app, faq_id))
    if log_id is not None:
        rows.append(
            (
                Button(messages.text("faq.helpful"), payload=f"fb:{log_id}:1"),
                Button(messages.text("faq.not_helpful"), payload=f"fb:{log_id}:0"),
            )
        )
    return Reply(text, tuple(rows))


def handle_faq_button(ctx: Context) -> list[Reply]:
    """Show the entry a button names (a related topic or a "did you mean" choice)."""
    faq_id = ctx.payload.partition(":")[2]
    if faq_id not in ctx.app.content.faq:
        return [ctx.say("core.stale_button")]
    log_id = repo_questions.log_question(
        ctx.session,
        user_id=ctx.user.id,
        channel=ctx.user.channel,
        text=ctx.incoming.text or ctx.app.content.faq[faq_id].question,
        normalized="",
        status="chosen",
        matched_id=faq_id,
        score=100.0,
        now=ctx.now,
    )
    return [answer_reply(ctx.app, faq_id, log_id)]


def handle_feedback(ctx: Context) -> list[Reply]:
    """Record 👍 or 👎 under an answer."""
    _, log_part, vote = (ctx.payload.split(":") + ["", ""])[:3]
    if not log_part.isdigit() or vote not in ("0", "1"):
        return [ctx.say("core.stale_button")]
    question = repo_questions.get_question(ctx.session, log_id=int(log_part), user_id=ctx.user.id)
    if question is None or question.matched_id is None:
        return [ctx.say("core.stale_button")]
    fresh = repo_questions.record_feedback(
        ctx.session,
        user_id=ctx.user.id,
        log_id=question.id,
        faq_id=question.matched_id,
        helpful=vote == "1",
        now=ctx.now,
    )
    if not fresh:
        return [ctx.say("faq.feedback_already")]
    return [ctx.say("faq.thanks_helpful" if vote == "1" else "faq.thanks_not_helpful")]


def describe_match(app: App, question: str) -> dict[str, Any]:
    """Return the machine-readable decision for one question (the `ask --json` format)."""
    result = app.faq_index.match(question)
    described: dict[str, Any] = {
        "status": str(result.status),
        "id": result.id,
        "score": round(result.score, 1),
        "candidates": [{"id": c.id, "score": round(c.score, 1)} for c in result.candidates],
        "reply": render(app, result, 0).text,
    }
    if result.action is not None:
        described["action"] = result.action
    return described
