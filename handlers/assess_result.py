"""The self-assessment result (total, subtotals, đạt/chưa đạt, how to improve) and /ketqua."""

from __future__ import annotations

from collections import defaultdict

from bot.cdht import repo as repo_cdht
from bot.cdht.assessment import PASS_MIN_EACH, PASS_TOTAL, AssessmentContent, Indicator, score
from bot.cdht.models import Assessment
from bot.context import Context
from bot.messages import Button, Reply

FULL_MARKS = 10  # points of one indicator
LOW_SHOWN = 3  # a total under the pass mark without a weak indicator: advice on this many


def result_reply(ctx: Context, attempt: Assessment) -> Reply:
    """Return a finished attempt's result with FAQ buttons for the weak indicators."""
    content: AssessmentContent = ctx.app.content.section("assessment")
    result = score(content, attempt.answers)
    subtotals = "\n".join(
        ctx.t(
            "assess.subtotal",
            name=c.name,
            points=result.subtotals[c.id],
            max=10 * sum(1 for i in content.indicators if i.competency == c.id),
        )
        for c in content.competencies
    )
    limits = {"pass_total": PASS_TOTAL, "min_each": PASS_MIN_EACH}
    verdict = ctx.t("assess.passed" if result.passed else "assess.not_passed", **limits)
    parts = [
        ctx.t(
            "assess.result",
            year=attempt.year,
            total=result.total,
            subtotals=subtotals,
            verdict=verdict,
        )
    ]
    rows: list[tuple[Button, ...]] = []
    advised = result.weak or ([] if result.passed else _lowest(content, attempt.answers))
    if advised:
        lines = [
            ctx.t("assess.weak_intro", min_each=PASS_MIN_EACH)
            if result.weak
            else ctx.t("assess.low_intro", missing=PASS_TOTAL - result.total)
        ]
        for indicator in advised:
            points = attempt.answers[str(indicator.id)]
            lines.append(
                ctx.t(
                    "assess.weak_item",
                    number=indicator.id,
                    points=points,
                    improve=indicator.improve,
                )
            )
            question = ctx.app.content.faq[indicator.faq].question
            label = ctx.t("assess.faq_button", number=indicator.id, question=question)
            rows.append((Button(label, payload=f"faq:{indicator.faq}"),))
        parts.append("\n".join(lines))
    parts.append(ctx.t("assess.disclaimer"))
    rows.append((Button(ctx.t("assess.btn_history"), payload="cmd:ketqua"),))
    return Reply("\n\n".join(parts), tuple(rows))


def _lowest(content: AssessmentContent, answers: dict[str, int]) -> list[Indicator]:
    """Return the indicators with the fewest points (under full marks), lowest first."""
    scored = [(answers.get(str(i.id), 0), i.id, i) for i in content.indicators]
    return [i for points, _, i in sorted(scored) if points < FULL_MARKS][:LOW_SHOWN]


def handle_history(ctx: Context) -> list[Reply]:
    """List the user's results per year (the latest attempt of a year is its result)."""
    attempts = repo_cdht.completed_assessments(ctx.session, user_id=ctx.user.id)
    if not attempts and repo_cdht.get_registration(ctx.session, user_id=ctx.user.id) is None:
        button = Button(ctx.t("cdht.btn_register"), payload="cmd:dangky")
        return [ctx.say("assess.history_unregistered", [button])]
    if not attempts:
        button = Button(ctx.t("cdht.btn_assess"), payload="cmd:tudanhgia")
        return [ctx.say("assess.history_none", [button])]
    by_year: dict[int, list[Assessment]] = defaultdict(list)
    for attempt in attempts:  # newest first, so the first of each year is its result
        by_year[attempt.year].append(attempt)
    lines: list[str] = []
    buttons: list[Button] = []
    for year, year_attempts in by_year.items():
        latest = year_attempts[0]
        verdict = ctx.t("assess.verdict_passed" if latest.passed else "assess.verdict_not_passed")
        assert latest.completed_at is not None
        day = latest.completed_at.astimezone(ctx.app.settings.tz)
        lines.append(
            ctx.t(
                "assess.history_line",
                year=year,
                total=latest.total,
                verdict=verdict,
                date=f"{day:%d/%m/%Y}",
            )
        )
        if len(year_attempts) > 1:
            scores = ", ".join(str(a.total) for a in reversed(year_attempts[1:]))
            lines.append(ctx.t("assess.history_earlier", scores=scores))
        buttons.append(
            Button(ctx.t("assess.btn_detail", year=year), payload=f"tdg:view:{latest.id}")
        )
    return [ctx.say("assess.history", buttons, lines="\n".join(lines))]
