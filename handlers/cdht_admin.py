"""Admin commands: /thongke (statistics as text and a chart) and /xuatdulieu (CSV export)."""

from __future__ import annotations

import secrets

from bot.admins import auth
from bot.cdht import chart
from bot.cdht import report as cdht_report
from bot.cdht.assessment import AssessmentContent
from bot.cdht.filters import FilterError, Filters
from bot.context import Context
from bot.messages import Attachment, Reply
from handlers import handoff_staff

TOP_PLACES = 10  # places listed and drawn; the rest are in the CSV


def _rate(assessed: int, passed: int) -> str:
    """Return a pass rate like 62,5% (Vietnamese decimal comma)."""
    if not assessed:
        return "—"
    return f"{100 * passed / assessed:.1f}%".replace(".", ",")


def handle_stats(ctx: Context) -> list[Reply]:
    """Show registrations and results by place, group and year, with a PNG chart."""
    year = ctx.now.year
    if ctx.args:
        if not ctx.args.isdigit() or not 2000 <= int(ctx.args) <= 2100:
            auth.audit(ctx, "cdht.stats", ctx.args[:40], result="bad_input")
            return [ctx.say("cdht_admin.bad_year")]
        year = int(ctx.args)
    auth.audit(ctx, "cdht.stats", str(year))
    content: AssessmentContent = ctx.app.content.section("assessment")
    data = cdht_report.stats(ctx.session, year=year)

    def counts(items: list[tuple[str, int]]) -> str:
        lines = [ctx.t("cdht_admin.stats_line", label=k, count=v) for k, v in items]
        return "\n".join(lines) or ctx.t("cdht_admin.stats_none")

    def rates(items: list[tuple[str, tuple[int, int]]]) -> str:
        lines = [
            ctx.t("cdht_admin.stats_rate_line", label=k, assessed=a, passed=p, rate=_rate(a, p))
            for k, (a, p) in items
        ]
        return "\n".join(lines) or ctx.t("cdht_admin.stats_none")

    groups = [(g.label, data.by_group.get(g.code, 0)) for g in content.groups]
    places = data.by_place.most_common(TOP_PLACES)
    year_places = sorted(data.year_by_place.items(), key=lambda kv: -kv[1][0])[:TOP_PLACES]
    unverified = (
        ctx.t("cdht_admin.stats_unverified", count=data.unverified) if data.unverified else ""
    )
    text = ctx.t(
        "cdht_admin.stats",
        date=f"{ctx.now:%d/%m/%Y}",
        registrations=data.registrations,
        unverified=unverified,
        by_group=counts(groups),
        shown=len(places),
        places=len(data.by_place),
        by_place=counts(places),
        by_year=rates([(str(y), v) for y, v in data.by_year.items()]),
        year=year,
        year_by_group=rates(
            [
                (g.label, data.year_by_group[g.code])
                for g in content.groups
                if g.code in data.year_by_group
            ]
        ),
        year_by_place=rates(year_places),
    )
    panels = [
        chart.Panel(
            ctx.t("cdht_admin.chart_groups"),
            (ctx.t("cdht_admin.series_registered"),),
            [(label, (count,)) for label, count in groups],
        ),
        chart.Panel(
            ctx.t("cdht_admin.chart_places", year=year),
            (ctx.t("cdht_admin.series_assessed"), ctx.t("cdht_admin.series_passed")),
            [(label, values) for label, values in year_places],
        ),
    ]
    png = chart.render(panels, font_path=chart.find_font(ctx.app.settings.chart_font))
    image = Attachment(f"thong-ke-cdht-{year}.png", png, is_image=True)
    caption = ctx.t("cdht_admin.chart_caption", year=year)
    text += "\n\n" + handoff_staff.figures_text(ctx)
    return [ctx.reply(text), Reply(caption, attachment=image)]


def handle_export(ctx: Context) -> list[Reply]:
    """Send registrations and results as CSV; filters as in `khuyenhoc export`."""
    content: AssessmentContent = ctx.app.content.section("assessment")
    try:
        filters = Filters.from_text(ctx.args, content)
    except FilterError as error:
        auth.audit(ctx, "cdht.export", ctx.args[:200], result="bad_input")
        codes = ", ".join(g.code for g in content.groups)
        return [ctx.say("cdht_admin.export_bad", problem=str(error), groups=codes)]
    rows = cdht_report.select_rows(ctx.session, filters)
    auth.audit(ctx, "cdht.export", f"{ctx.args.strip()[:200]} ({len(rows)})")
    data = cdht_report.to_csv(rows, content, ctx.app.settings.tz)
    described = ctx.args.strip() or ctx.t("cdht_admin.export_no_filter")
    caption = ctx.t("cdht_admin.export_caption", count=len(rows), filters=described)
    attachment = Attachment(f"cdht-{ctx.now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.csv", data)
    return [Reply(caption, attachment=attachment)]
