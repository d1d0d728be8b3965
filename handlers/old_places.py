"""Answer "huyện Lấp Vò giờ thuộc xã nào": the xã/phường on an old district's land."""

from __future__ import annotations

from bot.cdht.old_places import OldPlace, find_old_places
from bot.context import Context
from bot.messages import Button, Reply

SECTION = "places"
MORE_FAQ = "sap-nhap-dia-gioi"


def _found(ctx: Context) -> list[OldPlace]:
    """Return the old places the text asks about."""
    places = ctx.app.content.sections.get(SECTION)
    return find_old_places(places, ctx.text) if places is not None else []


def is_old_place_question(ctx: Context) -> bool:
    """Whether the text asks what an old district or city is now."""
    return bool(_found(ctx))


def handle_old_place(ctx: Context) -> list[Reply]:
    """List the current xã/phường of each old place the question names."""
    found = _found(ctx)
    parts = [_block(ctx, old) for old in found]
    if any(old.is_partial(unit) for old in found for unit in old.units):
        parts.append(ctx.t("places.note_partial"))
    text = "\n\n".join([*parts, ctx.t("places.note"), ctx.t("places.source")])
    question = ctx.app.content.faq[MORE_FAQ].question
    return [ctx.reply(text, [Button(question, payload=f"faq:{MORE_FAQ}")])]


def _block(ctx: Context, old: OldPlace) -> str:
    """Return one old place and the units that took over its land."""
    lines = [
        ctx.t("places.unit_partial" if old.is_partial(u) else "places.unit", unit=u.label)
        for u in old.units
    ]
    intro = ctx.t("places.successors", old=old.label, count=len(old.units))
    return "\n".join([intro, *lines])
