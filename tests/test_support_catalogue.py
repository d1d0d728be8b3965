"""The programmes catalogue: the real file loads; a curator's mistake names file and entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_content
from bot.content.sections import SECTIONS
from bot.support.tags import TAGS, tag_label_key
from tests import test_content
from tests.conftest import CONTENT_DIR
from tests.helpers import run_cli

content_copy = test_content.content_copy  # a fresh copy of content/, shared fixture


def test_real_catalogue_is_complete_and_sourced() -> None:
    content = load_content(CONTENT_DIR)
    catalogue = content.section("programmes")
    assert len(catalogue.programmes) >= 12
    for programme in catalogue.programmes:
        assert programme.sources and programme.faq, programme.id
        assert all(faq_id in content.faq for faq_id in programme.faq)
        for amount in programme.amounts:
            assert tag_label_key(amount.tag) in content.messages
    names = " ".join(p.name for p in catalogue.programmes)
    for expected in ("Nguyễn Sinh Sắc", "VNSF", "Tháng Khuyến học", "Tấm lòng Vàng", "xóa mù chữ"):
        assert expected in names
    # [?] facts are flagged, never stated as certain.
    assert catalogue.get("hoc-bong-nguyen-duc-canh").unconfirmed
    assert catalogue.get("hoc-nghe-ngan-han").unconfirmed
    expected_links = {"quy-khuyen-hoc", "xin-hoc-bong", "hoc-bong-cong-doan", "cong-nhan-hoc-tap"}
    assert expected_links | {"hoc-nghe", "xoa-mu-chu"} <= catalogue.faq_ids


def test_programmes_load_after_events() -> None:
    names = [section.name for section in SECTIONS]
    if "events" in names:  # deadline_event is checked only against an already loaded section
        assert names.index("events") < names.index("programmes")


def edit_programme(folder: Path, index: int = 0, **changes: object) -> str:
    path = folder / "programmes.yaml"
    data = yaml.safe_load(path.read_text())
    entry = data["programmes"][index]
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        elif key == "eligibility":
            entry["eligibility"] = {**entry.get("eligibility", {}), **value}
        else:
            entry[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return entry["id"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"eligibility": {"studies": ["primery"]}}, "unknown tag 'primery'"),
        ({"eligibility": {"learners": ["university"]}}, "not allowed in learners"),
        ({"sources": []}, "sources are missing"),
        ({"sources": None}, "sources"),
        ({"faq": ["khong-co-id-nay"]}, "unknown FAQ id 'khong-co-id-nay'"),
        ({"amounts": [{"tag": "primary", "amount": "1 triệu"}], "amounts_as_of": None}, "as_of"),
        ({"amounts": [{"tag": "worker", "amount": "1 triệu"}], "amounts_as_of": "2025"}, "label"),
        ({"unconfirmed": True, "caveat": None}, "caveat"),
        ({"id": "quy-tam-long-vang"}, "duplicate id"),
        ({"colour": "red"}, "colour"),
        ({"caveat": "dài " * 150, "apply": "dài " * 150, "support": "dài " * 150}, "card"),
    ],
)
def test_broken_programme_is_named(content_copy: Path, changes: dict, message: str) -> None:
    programme_id = edit_programme(content_copy, **changes)
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    error = str(caught.value)
    assert "programmes.yaml" in error and f"entry {programme_id}" in error and message in error


def test_deadline_event_must_name_a_known_event(content_copy: Path) -> None:
    edit_programme(content_copy, deadline_event="han-nop-hoc-bong")
    with pytest.raises(ContentError, match="unknown event id 'han-nop-hoc-bong'") as caught:
        load_content(content_copy)
    assert "programmes.yaml: entry quy-khuyen-hoc-cong-doan" in str(caught.value)
    edit_programme(content_copy, deadline_event="tuan-le-hoc-tap")
    content = load_content(content_copy)
    assert content.section("programmes").programmes[0].deadline_event == "tuan-le-hoc-tap"


def test_known_tags_cover_the_brief() -> None:
    for tag in ("union-member", "worker", "child-of-worker", "poor-household", "disability"):
        assert tag in TAGS
    assert {"near-poor-household", "ethnic-minority", "rural", "adult-learner"} <= set(TAGS)
    assert {"cannot-read", "primary", "university", "age-15-60"} <= set(TAGS)


def test_content_check_cli_names_file_and_entry(content_copy: Path) -> None:
    programme_id = edit_programme(content_copy, eligibility={"learners": ["martian"]})
    result = run_cli(["content", "check"], content_copy.parent, CONTENT_DIR=str(content_copy))
    assert result.returncode != 0
    assert "programmes.yaml" in result.stderr and f"entry {programme_id}" in result.stderr
    assert "unknown tag 'martian'" in result.stderr and "Traceback" not in result.stderr
