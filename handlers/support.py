"""The study-support finder /hotro: a few button questions, then the programmes that fit."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.cdht.models import Registration
from bot.context import Context
from bot.matching.normalize import clean, fold
from bot.messages import Button, Reply
from bot.support.finder import Match, Profile, amounts_for, profile_from_answers, rank
from bot.support.links import SECTION
from bot.support.tags import tag_label_key
from handlers import faq

FLOW = "hotro"
PREFIX = "ht"  # button payloads "ht:<step>:<answer>" and "ht:more"
PAGE_SIZE = 3  # results per page: enough to choose from, short enough for a phone
IDLE_LIMIT = timedelta(minutes=30)  # after this, typed text is a new question, not an answer
OPTION_KEY = "support.opt_{}"  # button labels, e.g. support.opt_near_poor
REMIND_PREFIX = "ev"  # the reminders feature's button: "ev:<event id>"

OPTIONS: dict[str, tuple[str, ...]] = {
    "who": ("me", "child"),
    "work": ("union", "worker", "farmer", "other"),
    "goal_me": (
        "literacy",
        "vocational",
        "upgrade-skills",
        "continuing-education",
        "student",
        "general-learning",
    ),
    "goal_child": (
        "primary",
        "lower-secondary",
        "upper-secondary",
        "college",
        "university",
        "vocational",
        "continuing-education",
    ),
    "level": ("lower-secondary", "upper-secondary", "college", "university"),
    "household": ("poor", "near-poor", "none", "skip"),
}
_GRADE = re.compile(r"\blop (\d{1,2})\b")  # "lớp 8", after folding diacritics
GRADE_LEVELS = ((5, "primary"), (9, "lower-secondary"), (12, "upper-secondary"))  # last grade
LAST_GRADE = GRADE_LEVELS[-1][0]


def handle_start(ctx: Context) -> list[Reply]:
    """Start the finder; a registered union member is not asked about the union again."""
    data: dict[str, object] = {}
    registration = ctx.session.get(Registration, ctx.user.id)
    if registration is not None:
        data["birth_year"] = registration.birth_year
        if registration.union_member:
            data["work"] = "union"
    ctx.start_flow(FLOW, "who", data)
    intro = ctx.t("support.intro")
    if data.get("work") == "union":
        intro += "\n" + ctx.t("support.union_known")
    return [_question(ctx, "who", intro)]


def handle_button(ctx: Context) -> list[Reply]:
    """Take an answer button (or "more results") of the current finder step."""
    _, _, rest = ctx.payload.partition(":")
    step, _, answer = rest.partition(":")
    flow = ctx.flow
    if flow is None or flow.flow != FLOW:
        return [_stale(ctx)]
    if step == "more" and flow.step == "results":
        return _results_page(ctx)
    if step != flow.step or answer not in _options(step, flow.data):
        return [_stale(ctx)]
    return _answer(ctx, step, answer)


def handle_text(ctx: Context) -> list[Reply]:
    """Read typed text as an answer when it names an option; otherwise answer it as a question."""
    assert ctx.flow is not None
    step = ctx.flow.step
    idle = ctx.now - ctx.flow.updated_at > IDLE_LIMIT
    answer = None if idle else _typed_answer(ctx, step, ctx.flow.data)
    if answer is not None:
        return _answer(ctx, step, answer)
    ctx.end_flow()
    replies = faq.handle_question(ctx)
    if idle or step == "results":
        return replies
    return [ctx.say("support.left_for_question"), *replies]


def option_key(answer: str) -> str:
    """Return the message key of an answer's button label."""
    return OPTION_KEY.format(answer.replace("-", "_"))


def _options(step: str, data: dict) -> tuple[str, ...]:
    """Return the answers a step offers (the goals differ for oneself and for a child)."""
    if step == "goal":
        return OPTIONS["goal_child" if data.get("who") == "child" else "goal_me"]
    return OPTIONS.get(step, ())


def _next_step(data: dict) -> str:
    """Return the first question not yet answered, or "results"."""
    for step in ("who", "work", "goal"):
        if step not in data:
            return step
    if data["goal"] == "student" and "level" not in data:
        return "level"
    return "household" if "household" not in data else "results"


def _answer(ctx: Context, step: str, answer: str) -> list[Reply]:
    """Record an answer and ask the next question, or show the results."""
    assert ctx.flow is not None
    data = {**ctx.flow.data, step: answer}
    following = _next_step(data)
    if following == "results":
        ctx.set_step("results", {**data, "shown": 0})
        return _results_page(ctx)
    ctx.set_step(following, data)
    return [_question(ctx, following)]


def _question(ctx: Context, step: str, intro: str = "") -> Reply:
    """Build a question with one button per answer."""
    assert ctx.flow is not None
    data = ctx.flow.data
    key = f"support.ask_{step}"
    if step in ("work", "goal"):
        key += "_child" if data.get("who") == "child" else "_me"
    text = f"{intro}\n\n{ctx.t(key)}" if intro else ctx.t(key)
    buttons = [
        Button(_option_label(ctx, answer), payload=f"{PREFIX}:{step}:{answer}")
        for answer in _options(step, data)
    ]
    return ctx.reply(text, buttons, per_row=1 if step in ("goal", "level") else 2)


def _option_label(ctx: Context, answer: str) -> str:
    """Return the button label of an answer."""
    return ctx.t(option_key(answer))


def _typed_answer(ctx: Context, step: str, data: dict) -> str | None:
    """Return the option a typed text names ("hộ nghèo", "lớp 8", "bỏ qua"), if exactly one."""
    typed = fold(clean(ctx.text))
    options = _options(step, data)
    grade = _GRADE.search(typed)
    if grade and step in ("goal", "level") and 1 <= int(grade.group(1)) <= LAST_GRADE:
        level = next(level for last, level in GRADE_LEVELS if int(grade.group(1)) <= last)
        return level if level in options else None
    if len(typed) < 3:
        return None
    labels = {answer: fold(clean(_option_label(ctx, answer))) for answer in options}
    exact = [answer for answer, label in labels.items() if label == typed]
    if exact:
        return exact[0]
    found = [answer for answer, label in labels.items() if f" {typed} " in f" {label} "]
    return found[0] if len(found) == 1 else None


def _profile(ctx: Context) -> Profile:
    """Return the learner's profile from the flow's answers."""
    assert ctx.flow is not None
    data = ctx.flow.data
    return profile_from_answers(data, birth_year=data.get("birth_year"), year=ctx.now.year)


def _results_page(ctx: Context) -> list[Reply]:
    """Show the next page of matching programmes, with a footer to see more or start again."""
    assert ctx.flow is not None
    data = ctx.flow.data
    profile = _profile(ctx)
    matches = rank(profile, ctx.app.content.section(SECTION).programmes)
    again = Button(ctx.t("support.btn_again"), payload="cmd:hotro")
    if not matches:
        ctx.end_flow()
        return [ctx.say("support.no_match", [again])]
    shown = int(data.get("shown", 0))
    page = matches[shown : shown + PAGE_SIZE]
    replies = [ctx.say("support.results_intro", count=len(matches))] if shown == 0 else []
    replies += [
        _result(ctx, match, profile, number) for number, match in enumerate(page, shown + 1)
    ]
    left = len(matches) - shown - len(page)
    if left > 0:
        ctx.set_step("results", {**data, "shown": shown + len(page)})
        more = Button(ctx.t("support.btn_more"), payload=f"{PREFIX}:more")
        replies.append(ctx.reply(ctx.t("support.more_left", count=left), [more, again], 2))
    else:
        ctx.end_flow()
        menu = Button(ctx.t("support.btn_menu"), payload="cmd:start")
        replies.append(ctx.reply(ctx.t("support.done"), [again, menu], 2))
    return replies


def _result(ctx: Context, match: Match, profile: Profile, number: int) -> Reply:
    """Build one programme's card: what it gives, how to apply, and its buttons."""
    item = match.programme
    values = {"number": number, "name": item.name, "runner": item.runner}
    lines = [ctx.t("support.result", support=item.support, **values)]
    if item.amounts:
        mine = set(amounts_for(profile, item))
        chosen = [a for a in item.amounts if a.tag in mine] or list(item.amounts)
        amounts = "; ".join(f"{ctx.t(tag_label_key(a.tag))}: {a.amount}" for a in chosen)
        lines.append(ctx.t("support.result_amounts", as_of=item.amounts_as_of, amounts=amounts))
    lines.append(ctx.t("support.result_apply", apply=item.apply))
    if item.season:
        lines.append(ctx.t("support.result_season", season=item.season))
    if item.caveat:
        lines.append(ctx.t("support.result_caveat", caveat=item.caveat))
    lines.append(ctx.t("support.result_source", source=item.sources[0]))
    buttons = []
    if item.deadline_event and REMIND_PREFIX in ctx.app.dispatcher.buttons:
        buttons.append(Button(ctx.t("support.btn_remind"), payload=f"ev:{item.deadline_event}"))
    if item.faq:
        buttons.append(Button(ctx.t("support.btn_ask_more"), payload=f"faq:{item.faq[0]}"))
    return ctx.reply("\n".join(lines), buttons, per_row=2)


def _stale(ctx: Context) -> Reply:
    """Tell the citizen an old finder button no longer works, and offer to start again."""
    return ctx.say("support.stale", [Button(ctx.t("support.btn_again"), payload="cmd:hotro")])
