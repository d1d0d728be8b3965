"""Registrations and yearly results for admins: filters, CSV export and statistics."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assessment import AssessmentContent
from bot.cdht_fields import format_phone
from bot.cdht_filters import Filters
from bot.db.models_cdht import Assessment, Registration
from bot.db.repo_cdht import latest_results
from bot.matching.normalize import fold
from bot.places import match_key

INDICATORS = 10
COLUMNS = [
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Xã/phường",
    "Xã/phường đã xác minh",
    "Nhóm đối tượng",
    "Đoàn viên công đoàn",
    "Số điện thoại",
    "Ngày đăng ký",
    "Năm đánh giá",
    "Tổng điểm",
    "Kết quả",
    "Ngày tự đánh giá",
    *[f"Chỉ số {n}" for n in range(1, INDICATORS + 1)],
]
GENDER_LABELS = {"nam": "Nam", "nu": "Nữ", "khac": "Khác"}
RESULT_LABELS = {"dat": "Đạt", "chua-dat": "Chưa đạt", "chua-danh-gia": "Chưa tự đánh giá"}


@dataclass
class Row:
    """One registration with one year's result (or none)."""

    registration: Registration
    result: Assessment | None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """Return dat, chua-dat or chua-danh-gia."""
        if self.result is None:
            return "chua-danh-gia"
        return "dat" if self.result.passed else "chua-dat"


def select_rows(session: Session, filters: Filters) -> list[Row]:
    """Return registrations with their yearly results, filtered."""
    query = select(Registration)
    if filters.group:
        query = query.where(Registration.group == filters.group)
    # Sorted here, not in SQL, so SQLite and PostgreSQL collations give the same order.
    registrations = sorted(
        session.scalars(query), key=lambda r: (match_key(r.place_name), fold(r.full_name.lower()))
    )
    if filters.place:
        wanted = match_key(filters.place)
        registrations = [r for r in registrations if match_key(r.place_name) == wanted]
    results: dict[int, list[Assessment]] = defaultdict(list)
    for attempt in session.scalars(latest_results(filters.year)):
        results[attempt.user_id].append(attempt)
    rows: list[Row] = []
    for registration in registrations:
        mine = sorted(results.get(registration.user_id, []), key=lambda a: -a.year)
        rows.extend(Row(registration, attempt) for attempt in mine or [None])
    if filters.result:
        rows = [row for row in rows if row.outcome == filters.result]
    return rows


def to_csv(rows: list[Row], content: AssessmentContent, tz: Any) -> bytes:
    """Return the rows as CSV in UTF-8 with a BOM, so Excel shows Vietnamese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        reg, result = row.registration, row.result
        answers = result.answers if result else {}
        done = result.completed_at.astimezone(tz) if result and result.completed_at else None
        writer.writerow(
            [
                reg.full_name,
                reg.birth_year,
                GENDER_LABELS.get(reg.gender or "", ""),
                reg.place_name,
                "Có" if reg.place_verified else "Chưa",
                content.group_label(reg.group),
                "Có" if reg.union_member else "Không",
                format_phone(reg.phone),  # spaced, so Excel keeps the leading 0 as text
                f"{reg.created_at.astimezone(tz):%d/%m/%Y}",
                result.year if result else "",
                result.total if result else "",
                RESULT_LABELS[row.outcome],
                f"{done:%d/%m/%Y}" if done else "",
                *[answers.get(str(n), "") for n in range(1, INDICATORS + 1)],
            ]
        )
    return out.getvalue().encode("utf-8-sig")


@dataclass
class Stats:
    """Counts for /thongke."""

    registrations: int
    unverified: int
    by_group: Counter[str]
    by_place: Counter[str]
    by_year: dict[int, tuple[int, int]]  # year -> (assessed, passed)
    year: int
    year_by_group: dict[str, tuple[int, int]]
    year_by_place: dict[str, tuple[int, int]]


def stats(session: Session, *, year: int) -> Stats:
    """Count registrations by group and place, and results by year (and for one year)."""
    registrations = {r.user_id: r for r in session.scalars(select(Registration))}
    by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    year_by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    year_by_place: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for attempt in session.scalars(latest_results()):
        registration = registrations.get(attempt.user_id)
        if registration is None:
            continue
        by_year[attempt.year][0] += 1
        by_year[attempt.year][1] += int(bool(attempt.passed))
        if attempt.year == year:
            for bucket in (
                year_by_group[registration.group],
                year_by_place[registration.place_name],
            ):
                bucket[0] += 1
                bucket[1] += int(bool(attempt.passed))
    return Stats(
        registrations=len(registrations),
        unverified=sum(1 for r in registrations.values() if not r.place_verified),
        by_group=Counter(r.group for r in registrations.values()),
        by_place=Counter(r.place_name for r in registrations.values()),
        by_year={y: (a, p) for y, (a, p) in sorted(by_year.items(), reverse=True)},
        year=year,
        year_by_group={k: (a, p) for k, (a, p) in year_by_group.items()},
        year_by_place={k: (a, p) for k, (a, p) in year_by_place.items()},
    )
