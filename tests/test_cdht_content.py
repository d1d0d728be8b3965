"""places.yaml, assessment.yaml and consent.yaml: loaders catch mistakes; the resolver."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.cdht.places import Places, load_places
from bot.content import ContentError, load_content
from tests.conftest import CONTENT_DIR


@pytest.fixture(scope="module")
def places() -> Places:
    return load_places(CONTENT_DIR / "places.yaml")


def test_real_places_are_complete(places: Places) -> None:
    assert places.complete and len(places.units) == 102
    assert sum(p.kind == "phuong" for p in places.units) == 20
    assert len(places.old_names) == 23


@pytest.mark.parametrize(
    ("typed", "first", "also"),
    [
        ("tp sa dec", "phường Sa Đéc", ["xã Tân Dương"]),
        ("TP. Sa Đéc", "phường Sa Đéc", []),
        ("h. Lấp Vò", "xã Lấp Vò", ["xã Mỹ An Hưng", "xã Lai Vung"]),
        ("huyen lap vo", "xã Lấp Vò", []),
        ("cao lanh", "phường Cao Lãnh", ["xã Mỹ Hiệp", "phường Mỹ Trà"]),
        ("tp Cao Lãnh", "phường Cao Lãnh", ["phường Mỹ Ngãi"]),
        ("Mỹ Tho", "phường Mỹ Tho", ["xã Mỹ Thọ"]),
        ("xa my tho", "xã Mỹ Thọ", []),
        ("Tràm Chim", "xã Tràm Chim", []),
        ("tram chim dong thap", "xã Tràm Chim", []),
        ("thap muoi", "xã Tháp Mười", ["xã Trường Xuân"]),
        ("Trường Xuân", "xã Trường Xuân", []),
        ("lap vò", "xã Lấp Vò", []),
        ("cao lan", "phường Cao Lãnh", []),  # typo
        ("dốc binh kiều", "xã Đốc Binh Kiều", []),  # typo
        ("Tân Phước 2", "xã Tân Phước 2", []),
    ],
)
def test_typed_names_lead_to_candidates(
    places: Places, typed: str, first: str, also: list[str]
) -> None:
    labels = [p.label for p in places.resolve(typed)]
    assert labels[0] == first, labels
    assert set(also) <= set(labels) and len(labels) <= 10


@pytest.mark.parametrize("typed", ["Hà Nội", "ấp 3", "xyz", "", "Phường 1"])
def test_unknown_names_give_no_candidates(places: Places, typed: str) -> None:
    assert places.resolve(typed) == []


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _edit(path: Path, change) -> None:  # noqa: ANN001
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("filename", "change", "message"),
    [
        ("places.yaml", lambda d: d["units"].pop(), "101 units, not 102"),
        ("places.yaml", lambda d: d["units"][0].update(kind="huyen"), "kind must be"),
        (
            "places.yaml",
            lambda d: d["old_names"][0]["successors"].append("Hà Nội"),
            "unknown successor",
        ),
        ("places.yaml", lambda d: d["units"].append(dict(d["units"][0])), "duplicate name"),
        ("assessment.yaml", lambda d: d["indicators"][0].update(faq="khong-co"), "unknown faq id"),
        ("assessment.yaml", lambda d: d["indicators"].pop(), "ids 1 to 10"),
        ("assessment.yaml", lambda d: d["indicators"][9].update(competency="tu-hoc"), "4/4/2"),
        ("assessment.yaml", lambda d: d["groups"].pop(), "4 distinct groups"),
        ("assessment.yaml", lambda d: d["indicators"][0].update(improve=""), "improve"),
        ("consent.yaml", lambda d: d.update(current="v9"), "not in versions"),
        ("consent.yaml", lambda d: d["versions"][0].update(text=""), "needs a version and a text"),
    ],
)
def test_content_mistakes_are_named(
    content_copy: Path,
    filename: str,
    change,
    message: str,  # noqa: ANN001
) -> None:
    _edit(content_copy / filename, change)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    assert filename in str(caught.value) and message in str(caught.value)


def test_incomplete_places_list_may_be_shorter(content_copy: Path) -> None:
    def shorten(data: dict) -> None:
        data["complete"] = False
        data["units"] = [u for u in data["units"] if u["name"] != "Ba Sao"]
        for old in data["old_names"]:
            old["successors"] = [s for s in old["successors"] if s != "Ba Sao"]

    _edit(content_copy / "places.yaml", shorten)
    places = load_content(content_copy).section("places")
    assert not places.complete and len(places.units) == 101
