"""Staff proposals ("📚 Thêm vào FAQ", /themfaq) on the curation page: accept or dismiss."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditLog
from bot.handoff.models import FaqProposal
from tests.conftest import AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, ENTRY, QUESTION, page_text, seed, signed_in
from tests.handoff_helpers import hand_over, handoff_app, in_group
from tests.test_webconsole_curation import publish

SECOND = "hôm nay giá vàng bao nhiêu một chỉ"


@pytest.fixture
def app(make_app: AppFactory, db_url: str) -> App:
    """The bot with a staff group and the console; staff proposed two phrasings."""
    app = handoff_app(make_app, db_url, **CONSOLE_SETTINGS)
    seed(app)
    hand_over(app, QUESTION, user="41")
    hand_over(app, SECOND, user="42")
    for reference in ("HK-0001", "HK-0002"):
        assert "Đã ghi đề xuất" in in_group(app, f"/themfaq {reference} {ENTRY}")[0].text
    return app


def _statuses(app: App) -> list[str]:
    with app.sessions() as session:
        return list(session.scalars(select(FaqProposal.status).order_by(FaqProposal.id)))


def test_a_curator_accepts_a_proposal_into_the_entry_and_dismisses_another(app: App) -> None:
    console = signed_in(app)
    entry_question = app.content.faq[ENTRY].question
    page = page_text(console.get("/unanswered"))
    assert "Cán bộ đề xuất thêm cách hỏi" in page
    assert f"{QUESTION} Từ câu hỏi HK-0001" in page and f"{SECOND} Từ câu hỏi HK-0002" in page
    assert f"Nhận: thêm làm cách hỏi của mục «{entry_question}»" in page

    accepted = console.post("/proposals/1/accept")
    assert "Đã thêm vào bản nháp" in page_text(accepted)
    dismissed = console.post("/proposals/2/dismiss")
    assert "Đã bỏ qua đề xuất của cán bộ." in page_text(dismissed)
    assert "Cán bộ đề xuất thêm cách hỏi" not in page_text(dismissed)
    assert _statuses(app) == ["accepted", "dismissed"]
    draft = page_text(console.get("/draft"))
    assert f"thêm cách hỏi «{QUESTION}» (cán bộ đề xuất) vào mục {ENTRY}" in draft
    assert SECOND not in draft
    with app.sessions() as session:
        audit = [
            (row.who, row.action, row.detail)
            for row in session.scalars(select(AuditLog).where(AuditLog.action.like("%proposal")))
        ]
    assert audit == [
        ("console:lan", "console.accept_proposal", f"#1 {ENTRY}: {QUESTION}"),
        ("console:lan", "console.dismiss_proposal", f"#2 {ENTRY}"),
    ]
    # Settled proposals cannot be handled twice.
    again = console.post("/proposals/1/accept")
    assert "Đề xuất này đã được xử lý hoặc không còn" in page_text(again)
    assert "Đề xuất này đã được xử lý" in page_text(console.post("/proposals/2/dismiss"))
    assert "Đề xuất này đã được xử lý" in page_text(console.post("/proposals/99/dismiss"))

    publish(console)
    assert app.faq_index.match(QUESTION).id == ENTRY  # the bot answers it after publishing


def test_a_proposal_can_go_to_another_entry_and_only_curators_see_them(app: App) -> None:
    other = next(faq_id for faq_id in sorted(app.content.faq) if faq_id != ENTRY)
    staff = signed_in(app, "staff", "binh")
    assert staff.get("/unanswered").status_code == 403
    assert staff.post("/proposals/1/dismiss").status_code == 403
    console = signed_in(app, "curator", "lan")
    response = console.post("/proposals/2/accept", {"faq_id": other})
    assert "Đã thêm vào bản nháp" in page_text(response)
    assert f"thêm cách hỏi «{SECOND}» (cán bộ đề xuất) vào mục {other}" in page_text(
        console.get("/draft")
    )
    unknown = console.post("/proposals/1/accept", {"faq_id": "khong-co"})
    assert "Không lưu được" in page_text(unknown)
    assert _statuses(app) == ["pending", "accepted"]
