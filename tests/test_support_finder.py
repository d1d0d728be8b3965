"""The finder's ranking: a pure function of a profile and the real catalogue."""

from __future__ import annotations

import pytest

from bot.content import load_content
from bot.support.catalogue import Catalogue
from bot.support.finder import Profile, profile_from_answers, rank
from tests.conftest import CONTENT_DIR

UNION_SUPPORT = {"quy-khuyen-hoc-cong-doan", "quy-tam-long-vang", "hoc-bong-nguyen-duc-canh"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_content(CONTENT_DIR).section("programmes")


def ids(profile: Profile, catalogue: Catalogue) -> list[str]:
    return [m.programme.id for m in rank(profile, catalogue.programmes)]


def test_union_member_with_child_in_grade_8_near_poor(catalogue: Catalogue) -> None:
    profile = profile_from_answers(
        {"who": "child", "work": "union", "goal": "lower-secondary", "household": "near-poor"}
    )
    assert profile.tags == {"child-of-union-member", "child-of-worker", "near-poor-household"}
    found = ids(profile, catalogue)
    assert set(found[:3]) == UNION_SUPPORT  # union support first
    assert found[0] == "quy-tam-long-vang"  # meant for union members' children at school
    assert {"hoc-bong-vnsf", "quy-khuyen-hoc-dia-phuong"} <= set(found[3:])
    # Nothing for the parent's own learning, nothing for adults.
    assert not {"cong-nhan-hoc-nang-cao", "lop-xoa-mu-chu", "hoc-nghe-ngan-han"} & set(found)
    assert "trung-tam-hoc-tap-cong-dong" not in found


def test_rural_worker_wanting_a_short_vocational_course(catalogue: Catalogue) -> None:
    for profile in (
        Profile(frozenset({"rural", "worker", "adult-learner"}), "vocational"),
        profile_from_answers({"who": "me", "work": "farmer", "goal": "vocational"}),
    ):
        found = ids(profile, catalogue)
        assert found[0] == "hoc-nghe-ngan-han"
        # Bổ túc văn hóa is taught at THPT schools, not vocational centres (since 2019).
        assert not {"hoc-bong-vnsf", "lop-xoa-mu-chu", "giao-duc-thuong-xuyen"} & set(found)


def test_adult_who_cannot_read(catalogue: Catalogue) -> None:
    profile = profile_from_answers({"who": "me", "work": "other", "goal": "literacy"})
    assert {"cannot-read", "adult-learner"} <= profile.tags
    found = ids(profile, catalogue)
    assert found[:2] == ["lop-xoa-mu-chu", "trung-tam-hoc-tap-cong-dong"]
    assert not any("hoc-bong" in programme_id for programme_id in found)


def test_university_student_from_a_poor_household(catalogue: Catalogue) -> None:
    profile = profile_from_answers(
        {
            "who": "me",
            "work": "other",
            "goal": "student",
            "level": "university",
            "household": "poor",
        }
    )
    assert profile.study == "university"
    matches = rank(profile, catalogue.programmes)
    assert matches[0].programme.id == "hoc-bong-vnsf"  # a sourced amount for university
    found = [m.programme.id for m in matches]
    assert "quy-khuyen-hoc-nguyen-sinh-sac" in found
    assert not {"thang-khuyen-hoc-xskt", "quy-tam-long-vang", "lop-xoa-mu-chu"} & set(found)
    assert not UNION_SUPPORT & set(found)


def test_age_outside_a_band_ranks_lower(catalogue: Catalogue) -> None:
    answers = {"who": "me", "work": "other", "goal": "literacy"}
    young = ids(profile_from_answers(answers, birth_year=1980, year=2026), catalogue)
    old = ids(profile_from_answers(answers, birth_year=1950, year=2026), catalogue)
    assert young[0] == "lop-xoa-mu-chu"
    assert old[0] == "trung-tam-hoc-tap-cong-dong" and "lop-xoa-mu-chu" in old


def test_ranking_is_pure_and_stable(catalogue: Catalogue) -> None:
    profile = profile_from_answers({"who": "child", "work": "other", "goal": "primary"})
    assert ids(profile, catalogue) == ids(profile, catalogue)
    scores = [m.score for m in rank(profile, catalogue.programmes)]
    assert scores == sorted(scores, reverse=True)
