"""/tudanhgia: ten indicators one by one, kept in the Assessment row; back, pause, cancel."""

from __future__ import annotations

from bot.cdht import repo as repo_cdht
from bot.cdht.assessment import PASS_MIN_EACH, PASS_TOTAL, AssessmentContent, score
from bot.cdht.fields import parse_score
from bot.cdht.models import Assessment
from bot.context import Context
from bot.dashboard import steps
from bot.messages import Button, Reply
from handlers.assess_result import result_reply

FLOW = "tudanhgia"
QUESTIONS = 10


def _content(ctx: Context) -> AssessmentContent:
    """Return the assessment content."""
    return ctx.app.content.section("assessment")


def handle_assess(ctx: Context) -> list[Reply]:
    """Start this year's self-assessment, or offer to continue the one in progress."""
    registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
    if registration is None:
        button = Button(ctx.t("cdht.btn_register"), payload="cmd:dangky")
        return [ctx.say("assess.need_registration", [button])]
    year = ctx.now.year
    attempt = repo_cdht.open_assessment(ctx.session, user_id=ctx.user.id, year=year)
    if attempt is not None and attempt.answers:
        buttons = [
            Button(ctx.t("assess.btn_resume"), payload=f"tdg:resume:{attempt.id}"),
            Button(ctx.t("assess.btn_restart"), payload="tdg:restart"),
        ]
        done = len(attempt.answers)
        return [ctx.say("assess.resume_offer", buttons, year=year, done=done)]
    return _begin(ctx, attempt)


def _begin(ctx: Context, attempt: Assessment | None) -> list[Reply]:
    """Show the introduction and the first question of a fresh attempt."""
    year = ctx.now.year
    if attempt is None:
        attempt = repo_cdht.start_assessment(
            ctx.session, user_id=ctx.user.id, year=year, now=ctx.now
        )
    intro = ctx.t("assess.intro", year=year, pass_total=PASS_TOTAL, min_each=PASS_MIN_EACH)
    earlier = repo_cdht.completed_assessments(ctx.session, user_id=ctx.user.id)
    this_year = [a for a in earlier if a.year == year]
    if this_year:
        intro += "\n\n" + ctx.t("assess.intro_again", year=year, total=this_year[0].total)
    return [ctx.reply(intro), *_ask(ctx, attempt)]


def _ask(ctx: Context, attempt: Assessment) -> list[Reply]:
    """Put the user in the flow and show the next unanswered question."""
    number = len(attempt.answers) + 1
    ctx.start_flow(FLOW, "q", {"attempt": attempt.id})
    steps.reached(ctx.session, user_id=ctx.user.id, flow=FLOW, step=f"q{number}", now=ctx.now)
    return [question_reply(ctx, attempt)]


def question_reply(ctx: Context, attempt: Assessment) -> Reply:
    """Return the current question with the anchored choices and back/pause/cancel."""
    content = _content(ctx)
    number = len(attempt.answers) + 1
    indicator = content.indicators[number - 1]
    competency = next(c.name for c in content.competencies if c.id == indicator.competency)
    registration = repo_cdht.get_registration(ctx.session, user_id=ctx.user.id)
    hint = indicator.hint_for(registration.group if registration else None)
    text = ctx.t(
        "assess.question", number=number, competency=competency, text=indicator.text, hint=hint
    )
    rows: list[tuple[Button, ...]] = [
        (
            Button(
                ctx.t("assess.choice", score=c.score, label=c.label),
                payload=f"tdg:a:{attempt.id}:{number}:{c.score}",
            ),
        )
        for c in content.choices
    ]
    nav = [
        Button(ctx.t("assess.btn_stop"), payload=f"tdg:stop:{attempt.id}"),
        Button(ctx.t("assess.btn_cancel"), payload=f"tdg:cancel:{attempt.id}"),
    ]
    if number > 1:
        nav.insert(0, Button(ctx.t("assess.btn_back"), payload=f"tdg:back:{attempt.id}"))
    rows.append(tuple(nav))
    return Reply(text, tuple(rows), numbers_are_answers=True)


def _own_open_attempt(ctx: Context, attempt_id: str) -> Assessment | None:
    """Return the user's in-progress attempt with this id, or None for a stale button."""
    if not attempt_id.isdigit():
        return None
    attempt = ctx.session.get(Assessment, int(attempt_id))
    if attempt is None or attempt.user_id != ctx.user.id or attempt.completed_at is not None:
        return None
    return attempt


def handle_button(ctx: Context) -> list[Reply]:
    """Handle answer, back, pause, cancel, resume and restart buttons."""
    parts = ctx.payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "restart":
        return _begin(ctx, None) if _registered(ctx) else handle_assess(ctx)
    if action == "view":
        return _view(ctx, parts[2] if len(parts) > 2 else "")
    attempt = _own_open_attempt(ctx, parts[2] if len(parts) > 2 else "")
    if attempt is None:
        return [ctx.say("core.stale_button")]
    if action == "resume":
        return _ask(ctx, attempt)
    if action == "stop":
        ctx.end_flow()
        return [ctx.say("assess.stopped", done=len(attempt.answers))]
    if action == "cancel":  # ask first: on numbered channels a typed 7 can press this
        buttons = [
            Button(ctx.t("assess.btn_cancel_yes"), payload=f"tdg:cancelok:{attempt.id}"),
            Button(ctx.t("assess.btn_resume"), payload=f"tdg:resume:{attempt.id}"),
        ]
        return [ctx.say("assess.cancel_confirm", buttons, done=len(attempt.answers))]
    if action == "cancelok":
        ctx.end_flow()
        ctx.session.delete(attempt)
        return [ctx.say("assess.cancelled")]
    if action == "back":
        answers = dict(attempt.answers)
        answers.pop(str(len(answers)), None)
        attempt.answers = answers
        return _ask(ctx, attempt)
    if action == "a" and len(parts) == 5 and parts[4].isdigit():
        if not parts[3].isdigit() or int(parts[3]) != len(attempt.answers) + 1:
            return [ctx.say("assess.not_this_question"), *_ask(ctx, attempt)]
        return _answer(ctx, attempt, int(parts[4]))
    return [ctx.say("core.stale_button")]


def handle_text(ctx: Context) -> list[Reply]:
    """Take a typed whole number 0-10 as the answer to the current question."""
    assert ctx.flow is not None
    attempt = _own_open_attempt(ctx, str(ctx.flow.data.get("attempt", "")))
    if attempt is None:
        ctx.end_flow()
        return [ctx.say("assess.no_attempt")]
    value = parse_score(ctx.text)
    if value is None:
        return [ctx.say("assess.bad_score"), question_reply(ctx, attempt)]
    return _answer(ctx, attempt, value)


def _answer(ctx: Context, attempt: Assessment, value: int) -> list[Reply]:
    """Store one answer; after the tenth, score and show the result."""
    if not 0 <= value <= 10:
        return [ctx.say("assess.bad_score"), question_reply(ctx, attempt)]
    answers = {**attempt.answers, str(len(attempt.answers) + 1): value}
    attempt.answers = answers  # a new dict, so SQLAlchemy sees the change
    if len(answers) < QUESTIONS:
        return _ask(ctx, attempt)
    result = score(_content(ctx), answers)
    attempt.total, attempt.passed, attempt.completed_at = result.total, result.passed, ctx.now
    ctx.end_flow()
    steps.reached(ctx.session, user_id=ctx.user.id, flow=FLOW, step=steps.DONE, now=ctx.now)
    return [result_reply(ctx, attempt)]


def _registered(ctx: Context) -> bool:
    """Return whether the user has a registration."""
    return repo_cdht.get_registration(ctx.session, user_id=ctx.user.id) is not None


def _view(ctx: Context, attempt_id: str) -> list[Reply]:
    """Show the details of one of the user's finished attempts."""
    attempt = ctx.session.get(Assessment, int(attempt_id)) if attempt_id.isdigit() else None
    if attempt is None or attempt.user_id != ctx.user.id or attempt.completed_at is None:
        return [ctx.say("core.stale_button")]
    return [result_reply(ctx, attempt)]
