"""Find old district and city names in a question about what they became after 7/2025."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cdht.places import Place, Places, match_key
from bot.matching.normalize import clean, fold

# Folded words that ask what a place is now ("giờ thuộc xã nào", "sau sáp nhập là phường gì").
_CUE = re.compile(
    r"\b(?:xa nao|phuong nao|xa gi|phuong gi|xa phuong nao|thuoc xa|thuoc phuong|thuoc ve"
    r"|nay thuoc|gio thuoc|sap nhap|sau sap xep|gio la|nay la|ten moi|doi ten|nhap vo|nhap vao)\b"
)
_CITY_WORDS = ("thanh pho", "thi xa", "tp", "tx")
_DISTRICT_WORDS = ("huyen", "h")
_UNIT_WORDS = ("xa", "phuong", "thi tran", "tt")


@dataclass(frozen=True)
class OldPlace:
    """An old district or city and the current units on its land."""

    name: str  # as in places.yaml, e.g. "huyện Lấp Vò", "TP Sa Đéc"
    units: tuple[Place, ...]

    @property
    def label(self) -> str:
        """Return the old name spelled out for citizens ("thành phố Sa Đéc")."""
        for short, full in (("TP ", "thành phố "), ("TX ", "thị xã ")):
            if self.name.startswith(short):
                return full + self.name[len(short) :]
        return self.name

    def is_partial(self, unit: Place) -> bool:
        """Return whether the unit holds only part of this old place's land."""
        return bool(unit.former_district) and unit.former_district != self.name


def find_old_places(places: Places, text: str) -> list[OldPlace]:
    """Return the old districts or cities a question asks about, or [] if it asks no such thing."""
    folded = fold(clean(text.replace(".", " ")))
    if not _CUE.search(folded):
        return []
    found: list[tuple[int, int, str]] = []  # (start, end, old name)
    for old in places.old_names:
        core = match_key(old)
        for match in re.finditer(rf"\b{re.escape(core)}\b", folded):
            if _fits(old, folded[: match.start()].split()):
                found.append((match.start(), match.end(), old))
    longest = [f for f in found if not any(_inside(f, other) for other in found)]
    names = list(dict.fromkeys(old for _, _, old in sorted(longest)))
    return [_old_place(places, name) for name in names]


def _fits(old: str, before: list[str]) -> bool:
    """Return whether the words before a name allow this old place (huyện vs city vs xã)."""
    last_two = " ".join(before[-2:])
    last = before[-1] if before else ""
    if last in _UNIT_WORDS or last_two in _UNIT_WORDS:
        return False  # "xã Lấp Vò" is today's xã, not the old huyện
    is_city = old.startswith(("TP ", "TX "))
    if last in _CITY_WORDS or last_two in _CITY_WORDS:
        return is_city
    if last in _DISTRICT_WORDS:
        return not is_city
    return True


def _inside(item: tuple[int, int, str], other: tuple[int, int, str]) -> bool:
    """Return whether a match lies strictly inside a longer one ("gò công" in "gò công tây")."""
    return (
        other != item
        and other[0] <= item[0]
        and item[1] <= other[1]
        and (other[1] - other[0] > item[1] - item[0])
    )


def _old_place(places: Places, name: str) -> OldPlace:
    """Return the old place with its current units, in places.yaml order."""
    units = tuple(u for n in places.old_names[name] if (u := places.by_name(n)) is not None)
    return OldPlace(name=name, units=units)
