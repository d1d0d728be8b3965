"""The dashboard as tables: what the page lists and what CSV and .xlsx downloads contain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.dashboard.build import Dashboard
from bot.dashboard.cdht_figures import GroupRow
from bot.dashboard.funnel import StepRow
from bot.dashboard.steps import DONE


class Share(float):
    """A fraction 0-1 shown as a percentage."""


Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """One downloadable table: a file-name slug, a title, headers and rows."""

    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


REGISTER_STEP_LABELS = {
    "consent": "Đồng ý cho lưu thông tin",
    "full_name": "Họ và tên",
    "birth_year": "Năm sinh",
    "gender": "Giới tính",
    "place": "Xã/phường",
    "group": "Nhóm đối tượng",
    "union_member": "Đoàn viên công đoàn",
    "phone": "Số điện thoại",
    DONE: "Hoàn tất đăng ký",
}
NOT_AVAILABLE = "chưa có"


def share(part: int, whole: int) -> Share | None:
    """Return part / whole as a Share, or None when whole is 0."""
    return Share(part / whole) if whole else None


def assess_step_label(step: str) -> str:
    """Name a self-assessment step: "Chỉ số 3", or the finish."""
    return "Hoàn tất tự đánh giá" if step == DONE else f"Chỉ số {step.removeprefix('q')}"


def minutes(delta: timedelta | None) -> Cell:
    """Return a duration in whole minutes, or "chưa có"."""
    return NOT_AVAILABLE if delta is None else round(delta.total_seconds() / 60)


def tables(board: Dashboard, *, group_label: Callable[[str], str]) -> list[Table]:
    """Return every table of the dashboard, in the order the page shows them."""
    q, c = board.questions, board.citizens
    overview = Table(
        "cau-hoi",
        "Câu hỏi của người dân",
        ("Chỉ số", "Số lượng", "Tỉ lệ"),
        [
            ("Câu hỏi đã nhận", q.asked, None),
            ("Trả lời được", q.answered, share(q.answered, q.asked)),
            ("Hỏi lại cho rõ", q.clarified, share(q.clarified, q.asked)),
            ("Chưa trả lời được", q.declined, share(q.declined, q.asked)),
            ("Chuyển cho cán bộ", q.handed_over, share(q.handed_over, q.asked)),
            ("👍 Hữu ích", q.helpful, share(q.helpful, q.helpful + q.unhelpful)),
            ("👎 Chưa hữu ích", q.unhelpful, share(q.unhelpful, q.helpful + q.unhelpful)),
        ],
    )
    entries = Table(
        "muc-hoi-nhieu",
        "Mục được hỏi nhiều nhất",
        ("Mã mục", "Câu hỏi", "Số lần trả lời", "👍", "👎"),
        [(e.faq_id, e.question, e.asked, e.helpful, e.unhelpful) for e in board.entries],
    )
    citizens = Table(
        "nguoi-dan",
        "Người dân nhắn tin",
        ("Loại", "Số người"),
        [("Người mới", c.new), ("Người quay lại", c.returning), ("Tổng", c.active)],
    )
    sources = Table(
        "nguon",
        "Người dân theo mã QR / đường dẫn",
        ("Mã", "Tên", "Người vào qua mã", "Đã đăng ký"),
        [(s.code, s.title, s.citizens, s.registered) for s in board.sources],
    )
    by_group = _cdht_table(
        "cdht-nhom", "Đăng ký và kết quả theo nhóm", "Nhóm đối tượng",
        [*board.cdht.by_group, board.cdht.total], lambda key: group_label(key) if key else "Tổng",
    )  # fmt: skip
    by_place = _cdht_table(
        "cdht-xa", "Đăng ký và kết quả theo xã/phường", "Xã/phường",
        board.cdht.by_place, lambda key: key,
    )  # fmt: skip
    return [
        overview,
        entries,
        citizens,
        sources,
        by_group,
        by_place,
        _steps_table("buoc-dang-ky", "Các bước /dangky", board.register_steps,
                     REGISTER_STEP_LABELS.__getitem__),
        _steps_table("buoc-tu-danh-gia", "Các bước /tudanhgia", board.assess_steps,
                     assess_step_label),
        _tickets_table(board),
    ]  # fmt: skip


def _cdht_table(
    name: str, title: str, first: str, rows: list[GroupRow], label: Callable[[str], str]
) -> Table:
    """Return registrations and results per group or place with the pass rate."""
    return Table(
        name,
        title,
        (first, "Đăng ký mới", "Đã tự đánh giá", "Đạt", "Tỉ lệ đạt"),
        [(label(r.key), r.registered, r.assessed, r.passed, _rate(r.pass_rate)) for r in rows],
    )


def _rate(value: float | None) -> Share | None:
    """Wrap a fraction as a Share."""
    return None if value is None else Share(value)


def _steps_table(name: str, title: str, rows: list[StepRow], label: Callable[[str], str]) -> Table:
    """Return how many reached each step and how many stopped there."""
    return Table(
        name,
        title,
        ("Bước", "Số người đến bước", "Dừng ở bước", "Tỉ lệ dừng"),
        [(label(r.step), r.reached, r.stopped, _rate(r.stop_share)) for r in rows],
    )


def _tickets_table(board: Dashboard) -> Table:
    """Return the ticket figures ("chưa có" for the median while nothing was answered)."""
    t = board.tickets
    values: list[Cell] = [t.opened, t.answered, t.open_now, minutes(t.median_first_answer)]
    labels = (
        "Phiếu mở trong kỳ",
        "Đã được cán bộ trả lời",
        "Đang mở",
        "Thời gian trả lời đầu tiên (trung vị, phút)",
    )
    return Table(
        "phieu",
        "Câu hỏi chuyển cán bộ",
        ("Chỉ số", "Giá trị"),
        list(zip(labels, values, strict=True)),
    )
