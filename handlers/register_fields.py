"""The registration fields: prompts, buttons and parsing, shared by /dangky and /hoso."""

from __future__ import annotations

import re
from typing import Any

from bot.cdht.fields import (
    AGE_MAX,
    AGE_MIN,
    GENDERS,
    format_phone,
    parse_birth_year,
    parse_name,
    parse_phone,
    parse_yes_no,
)
from bot.cdht.models import Registration
from bot.context import Context
from bot.matching.normalize import clean, fold, nfc
from bot.messages import Button, Reply, button_rows

__all__ = [
    "FLOW",
    "ORDER",
    "from_button",
    "from_text",
    "parse_yes_no",
    "place_candidates",
    "prompt",
]

FLOW = "dangky"
ORDER = ("full_name", "birth_year", "gender", "place", "group", "union_member", "phone")
SKIP_WORDS = {"bo qua", "khong", "ko", "k", "khong co", "skip", "khong muon noi"}
PLACE_TYPED_MAX = 80


def step_of(choice: dict[str, Any]) -> str:
    """Return the step a parsed answer belongs to."""
    return "place" if "place_name" in choice else next(iter(choice))


def prompt(ctx: Context, step: str, bad: bool = False) -> Reply:
    """Return the question for a step (or its short re-prompt), with the step's buttons."""
    key = f"cdht.bad_{step}" if bad else f"cdht.ask_{step}"
    values: dict[str, object] = {"step": ORDER.index(step) + 1, "steps": len(ORDER)}
    suggested = _suggested_place(ctx) if step == "place" else None
    if suggested:  # the citizen came from a poster of this place: offer it, still to confirm
        key = "campaigns.ask_place_suggested"
        values["place"] = suggested
    if step == "birth_year":
        values.update(age_min=AGE_MIN, age_max=AGE_MAX)
    text = ctx.t(
        key, **{k: v for k, v in values.items() if k in ctx.app.content.messages.fields(key)}
    )
    buttons = _buttons(ctx, step)
    if suggested:
        label = ctx.t("campaigns.btn_place_suggested", place=suggested)
        buttons = [Button(label, payload="dk:place:suggested")]
    return Reply(text, button_rows(buttons, 2 if step in ("gender", "union_member") else 1))


def _suggested_place(ctx: Context) -> str | None:
    """Return the xã/phường the flow offers from the citizen's poster, if any."""
    return ctx.flow.data.get("suggested_place") if ctx.flow is not None else None


def _buttons(ctx: Context, step: str) -> list[Button]:
    """Return the choice buttons of a step."""
    if step == "gender":
        return [Button(ctx.t(f"cdht.gender_{g}"), payload=f"dk:gender:{g}") for g in GENDERS] + [
            Button(ctx.t("cdht.gender_none"), payload="dk:gender:none")
        ]
    if step == "group":
        groups = ctx.app.content.section("assessment").groups
        return [Button(g.label, payload=f"dk:group:{g.code}") for g in groups]
    if step == "union_member":
        return [
            Button(ctx.t("cdht.answer_yes"), payload="dk:union_member:1"),
            Button(ctx.t("cdht.answer_no"), payload="dk:union_member:0"),
        ]
    if step == "phone":
        return [Button(ctx.t("cdht.skip"), payload="dk:phone:skip")]
    return []


def from_button(ctx: Context, kind: str, value: str) -> dict[str, Any] | None:
    """Turn a pressed choice into column values, or None if it is not a valid choice."""
    if kind == "gender" and value in (*GENDERS, "none"):
        return {"gender": None if value == "none" else value}
    if kind == "group" and value in _group_codes(ctx):
        return {"group": value}
    if kind == "union_member" and value in ("0", "1"):
        return {"union_member": value == "1"}
    if kind == "phone" and value == "skip":
        return {"phone": None}
    if kind == "place" and ctx.flow is not None:
        data = ctx.flow.data
        if value == "suggested" and data.get("suggested_place"):
            return {"place_name": data["suggested_place"], "place_verified": True}
        if value == "typed" and data.get("typed"):
            return {"place_name": data["typed"], "place_verified": False}
        candidates = data.get("candidates") or []
        if value.isdigit() and int(value) < len(candidates):
            return {"place_name": candidates[int(value)], "place_verified": True}
    return None


def from_text(ctx: Context, step: str, text: str) -> dict[str, Any] | None:
    """Parse typed text for a step into column values, or None when it is not valid."""
    words = fold(clean(text))
    if step == "full_name":
        name = parse_name(text)
        return None if name is None else {"full_name": name}
    if step == "birth_year":
        year = parse_birth_year(text, ctx.now.year)
        return None if year is None else {"birth_year": year}
    if step == "gender":
        if words in GENDERS or words in SKIP_WORDS:
            return {"gender": words if words in GENDERS else None}
        return None
    if step == "group":
        return _group_from_text(ctx, words)
    if step == "union_member":
        answer = parse_yes_no(text)
        return None if answer is None else {"union_member": answer}
    if step == "phone":
        if words in SKIP_WORDS:
            return {"phone": None}
        phone = parse_phone(text)
        return None if phone is None else {"phone": phone}
    return None


def _group_codes(ctx: Context) -> list[str]:
    """Return the group codes from content."""
    return [g.code for g in ctx.app.content.section("assessment").groups]


def _group_from_text(ctx: Context, words: str) -> dict[str, Any] | None:
    """Accept the number of a group (1-4) or a word that names exactly one group."""
    groups = ctx.app.content.section("assessment").groups
    if words.isdigit() and 1 <= int(words) <= len(groups):
        return {"group": groups[int(words) - 1].code}
    matches = [g for g in groups if words and words in fold(clean(g.label))]
    return {"group": matches[0].code} if len(matches) == 1 else None


def place_candidates(ctx: Context, text: str) -> list[Reply]:
    """Resolve a typed place name and offer the candidates (or keeping the typed name)."""
    assert ctx.flow is not None
    typed = re.sub(r"\s+", " ", nfc(text)).strip()[:PLACE_TYPED_MAX]
    if sum(ch.isalpha() for ch in typed) < 2:
        return [prompt(ctx, "place", bad=True)]
    found = ctx.app.content.section("places").resolve(typed)
    candidates = [place.label for place in found]
    ctx.set_step("place_pick", {**ctx.flow.data, "candidates": candidates, "typed": typed})
    buttons = [Button(label, payload=f"dk:place:{i}") for i, label in enumerate(candidates)]
    buttons.append(
        Button(ctx.t("cdht.place_keep_typed", typed=typed[:40]), payload="dk:place:typed")
    )
    key = "cdht.place_pick" if candidates else "cdht.place_unknown"
    return [Reply(ctx.t(key, typed=typed), button_rows(buttons, 2 if len(buttons) > 4 else 1))]


def values_of(registration: Registration) -> dict[str, Any]:
    """Return the registration's fields as a dict."""
    names = (*ORDER[:3], "place_name", "place_verified", *ORDER[4:])
    return {name: getattr(registration, name) for name in names}


def summary(ctx: Context, values: dict[str, Any]) -> str:
    """Return the registration as short lines a citizen can check."""
    not_given = ctx.t("cdht.not_given")
    gender = values.get("gender")
    place = values.get("place_name") or ""
    if values.get("place_verified") is False:
        place = ctx.t("cdht.place_unverified", place=place)
    return ctx.t(
        "cdht.summary",
        full_name=values.get("full_name", ""),
        birth_year=values.get("birth_year", ""),
        gender=ctx.t(f"cdht.gender_{gender}") if gender else not_given,
        place=place,
        group=ctx.app.content.section("assessment").group_label(values.get("group")),
        union_member=ctx.t("cdht.answer_yes")
        if values.get("union_member")
        else ctx.t("cdht.answer_no"),
        phone=format_phone(values.get("phone")) or not_given,
    )
