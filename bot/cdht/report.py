"""Registrations and yearly results for admins: filters, CSV export and statistics."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.cdht.assessment import AssessmentContent
from bot.cdht.fields import format_phone
from bot.cdht.filters import Filters
from bot.cdht.models import Assessment, Registration
from bot.cdht.places import match_key
from bot.cdht.repo import latest_result_ids, latest_results
from bot.matching.normalize import fold

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
        cells = [
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
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue().encode("utf-8-sig")


def safe_cell(value: object) -> object:
    """Keep Excel from running a typed text as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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

    def counted(column: Any) -> Counter[str]:
        query = select(column, func.count()).group_by(column)
        return Counter({key: number for key, number in session.execute(query)})

    def results(column: Any, only_year: int | None) -> dict[Any, tuple[int, int]]:
        passed = func.sum(case((Assessment.passed.is_(True), 1), else_=0))
        query = (
            select(column, func.count(), passed)
            .join(Registration, Registration.user_id == Assessment.user_id)
            .where(Assessment.id.in_(latest_result_ids(only_year)))
            .group_by(column)
        )
        return {key: (int(a), int(p or 0)) for key, a, p in session.execute(query)}

    unverified = select(func.count()).where(Registration.place_verified.is_(False))
    return Stats(
        registrations=session.scalar(select(func.count()).select_from(Registration)) or 0,
        unverified=session.scalar(unverified) or 0,
        by_group=counted(Registration.group),
        by_place=counted(Registration.place_name),
        by_year=dict(sorted(results(Assessment.year, None).items(), reverse=True)),
        year=year,
        year_by_group=results(Registration.group, year),
        year_by_place=results(Registration.place_name, year),
    )
