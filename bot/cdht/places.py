"""The province's xã/phường and old district names: load, validate and resolve typed names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from bot.content.errors import ContentError
from bot.content.yamlio import read_yaml
from bot.matching.normalize import clean, fold

if TYPE_CHECKING:
    from bot.content.loader import Content

KIND_LABELS = {"phuong": "phường", "xa": "xã"}
MAX_CANDIDATES = 10  # huyện Cao Lãnh + TP Cao Lãnh share "Cao Lãnh": ten units in all
FUZZY_MIN_SCORE = 80  # below this a typed name is treated as unknown (typos score 85-95)
FUZZY_MARGIN = 6  # keep keys scoring within this of the best one
# Words people put before a place name; removed before matching (longest first).
_PREFIXES = re.compile(
    r"^(?:(?:thanh pho|thi xa|thi tran|huyen|phuong|xa|tinh|tp|tx|tt|h|p|x)\s+)+"
)
_SUFFIXES = re.compile(r"\s+(?:tinh\s+)?(?:dong thap|tien giang)(?:\s+cu)?$")


@dataclass(frozen=True)
class Place:
    """A current xã or phường."""

    name: str
    kind: str  # "xa" | "phuong"
    former_district: str

    @property
    def label(self) -> str:
        """Return the name as stored and shown, e.g. "xã Lấp Vò"."""
        return f"{KIND_LABELS[self.kind]} {self.name}"


@dataclass
class Places:
    """All current units, the old names that lead to them, and a resolver."""

    units: list[Place]
    complete: bool
    old_names: dict[str, list[str]] = field(default_factory=dict)  # old name -> unit names
    _keys: dict[str, list[tuple[int, str]]] = field(default_factory=dict, repr=False)
    _full_keys: dict[str, list[tuple[int, str]]] = field(default_factory=dict, repr=False)

    def by_name(self, name: str) -> Place | None:
        """Return the unit with this exact name or label."""
        for unit in self.units:
            if name in (unit.name, unit.label):
                return unit
        return None

    def resolve(self, typed: str) -> list[Place]:
        """Return a short list of current units the typed name may mean, best first."""
        query = match_key(typed)
        if not query:
            return []
        names = self._full_keys.get(fold(clean(typed.replace(".", " "))))
        if names is None:
            names = self._keys.get(query)
        if names is None:
            names = self._fuzzy(query)
        ordered = [name for _, name in sorted(names, key=lambda item: item[0])]
        seen: list[str] = []
        for name in ordered:
            if name not in seen:
                seen.append(name)
        seen.sort(key=lambda name: match_key(name) != query)  # "TP Sa Đéc": phường Sa Đéc first
        typed_clean = clean(typed)
        if typed_clean != fold(typed_clean):  # accents typed: "Mỹ Tho" before "Mỹ Thọ"
            seen.sort(key=lambda name: clean(name) not in typed_clean)
        return [p for n in seen[:MAX_CANDIDATES] if (p := self.by_name(n)) is not None]

    def _fuzzy(self, query: str) -> list[tuple[int, str]]:
        """Return the units of the keys closest to a query that matched no key exactly."""
        found = process.extract(query, list(self._keys), scorer=_score, limit=6)
        if not found or found[0][1] < FUZZY_MIN_SCORE:
            return []
        best = found[0][1]
        result: list[tuple[int, str]] = []
        for rank, (key, score, _) in enumerate(found):
            if score >= best - FUZZY_MARGIN:
                result.extend((rank * 10 + priority, name) for priority, name in self._keys[key])
        return result


def _score(query: str, key: str, **_: Any) -> float:
    """Score a key: whole-string similarity, or the key's words all inside the query."""
    whole = fuzz.ratio(query, key)
    if len(key.split()) >= 2 and set(key.split()) <= set(query.split()):
        return max(whole, 90.0)
    return whole


def match_key(text: str) -> str:
    """Return the form names are compared in: folded, lowercase, without "xã", "huyện"…."""
    key = fold(clean(text.replace(".", " ")))
    key = _PREFIXES.sub("", key)
    return _SUFFIXES.sub("", key) or key


def load_places(path: Path, content: Content | None = None) -> Places:
    """Load places.yaml, checking kinds, totals, duplicates and that successors exist."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise ContentError(f"{path}: expected a mapping with a list 'units'")
    units: list[Place] = []
    for index, item in enumerate(data["units"]):
        units.append(_unit(path, index, item, units))
    complete = bool(data.get("complete", False))
    expected = data.get("expected_total")
    if complete and expected is not None and len(units) != expected:
        raise ContentError(f"{path}: complete: true but {len(units)} units, not {expected}")
    places = Places(units=units, complete=complete)
    for unit in units:
        places._keys.setdefault(match_key(unit.name), []).append((0, unit.name))
        places._full_keys.setdefault(fold(clean(unit.label)), []).append((0, unit.name))
    for item in data.get("old_names") or []:
        _old_name(path, item, places)
    return places


def _unit(path: Path, index: int, item: object, units: list[Place]) -> Place:
    """Validate one unit entry."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ContentError(f"{path}: unit #{index + 1}: needs a name")
    name = unicodedata.normalize("NFC", item["name"]).strip()
    kind = item.get("kind")
    if kind not in KIND_LABELS:
        raise ContentError(f"{path}: unit {name}: kind must be phuong or xa, not {kind!r}")
    if any(u.name == name for u in units):
        raise ContentError(f"{path}: unit {name}: duplicate name")
    former = unicodedata.normalize("NFC", str(item.get("former_district") or "")).strip()
    return Place(name=name, kind=kind, former_district=former)


def _old_name(path: Path, item: object, places: Places) -> None:
    """Validate one old district entry and index its name and aliases."""
    if not isinstance(item, dict) or not isinstance(item.get("old"), str):
        raise ContentError(f"{path}: old_names: every entry needs 'old'")
    old = unicodedata.normalize("NFC", item["old"]).strip()
    successors = [unicodedata.normalize("NFC", str(s)).strip() for s in item.get("successors", [])]
    if not successors:
        raise ContentError(f"{path}: old name {old}: no successors")
    for name in successors:
        if places.by_name(name) is None:
            raise ContentError(f"{path}: old name {old}: unknown successor {name!r}")
    places.old_names[old] = successors
    for alias in [old, *(item.get("aliases") or [])]:
        ranked = [(1 + rank, name) for rank, name in enumerate(successors)]
        places._keys.setdefault(match_key(str(alias)), []).extend(ranked)
        full = fold(clean(str(alias).replace(".", " ")))
        if full != match_key(str(alias)):  # "tp cao lanh" means the city, not the huyện
            places._full_keys.setdefault(full, []).extend(ranked)
