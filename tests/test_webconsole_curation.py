"""Web console: unanswered questions to phrasings, out-of-scope, skip, 👎, publish, restore."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.app import App
from bot.console import drafts, versions
from bot.console.live import ContentReloader
from bot.db.models import AuditLog
from bot.matching.index import Status
from tests.conftest import CONTENT_DIR, AppFactory
from tests.console_helpers import (
    CONSOLE_SETTINGS,
    ENTRY,
    QUESTION,
    Console,
    page_text,
    seed,
    signed_in,
)
from tests.helpers import press_label, say, texts


@pytest.fixture
def console_app(make_app: AppFactory, db_url: str) -> App:
    app = make_app(db_url, **CONSOLE_SETTINGS)
    seed(app)
    return app


def last_audit(app: App) -> tuple[str, str, str]:
    with app.sessions() as session:
        row = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert row is not None
        return row.who, row.action, row.detail


def publish(console: Console, *, confirm: bool = False) -> object:
    """Open the draft page (it measures the draft) and publish what it shows."""
    page = console.get("/draft")
    seen = page.text.split('name="seen" value="')[1].split('"')[0]
    data = {"seen": seen, **({"confirm": "yes"} if confirm else {})}
    return console.post("/draft/publish", data)


def test_an_unanswered_question_becomes_a_phrasing_and_is_answered_after_publishing(
    console_app: App,
) -> None:
    assert console_app.faq_index.match(QUESTION).status is not Status.ANSWER
    say(console_app, QUESTION)
    say(console_app, QUESTION, user="citizen-2")
    console = signed_in(console_app)
    page = page_text(console.get("/unanswered"))
    assert f"2 {QUESTION}" in page
    entry_question = console_app.content.faq[ENTRY].question
    assert f"Thêm làm cách hỏi của mục «{entry_question}»" in page

    response = console.post("/unanswered/phrasing", {"faq_id": ENTRY, "text": QUESTION})
    assert "Đã thêm vào bản nháp" in page_text(response)
    assert "✓ Đã có trong bản nháp, chờ đăng." in page_text(response)
    assert last_audit(console_app) == (
        "console:lan",
        "console.add_phrasing",
        f"{ENTRY}: {QUESTION}",
    )
    draft = page_text(console.get("/draft"))
    assert f"thêm cách hỏi «{QUESTION}» vào mục {ENTRY}" in draft
    assert f'+ - "{QUESTION}"' in draft.replace("+      ", "+ ")
    assert "Trả lời đúng" in draft and "heldout.tsv" in draft

    published = publish(console)
    assert published.url.path == "/console/versions/2"
    assert "Đã đăng" in page_text(published)
    assert console_app.content_version == 2
    assert console_app.faq_index.match(QUESTION).id == ENTRY
    assert entry_question not in texts(say(console_app, QUESTION))  # the answer, not a choice
    assert console_app.content.faq[ENTRY].answer[:40] in texts(say(console_app, QUESTION))
    who, action, detail = last_audit(console_app)
    assert (who, action) == ("console:lan", "console.publish") and detail.startswith("version 2")
    assert QUESTION not in page_text(console.get("/unanswered"))  # answered now: off the list


def test_out_of_scope_and_skip_actions(console_app: App) -> None:
    off_topic = "đổi bằng lái xe máy ở đâu vậy"
    other = "bot có biết nấu ăn không"
    for question in (off_topic, other):
        say(console_app, question)
    console = signed_in(console_app)
    response = console.post(
        "/unanswered/out-of-scope", {"theme_id": "can-cuoc-ho-chieu", "text": off_topic}
    )
    assert "Đã thêm vào bản nháp" in page_text(response)
    assert last_audit(console_app)[1:] == (
        "console.add_out_of_scope",
        f"can-cuoc-ho-chieu: {off_topic}",
    )
    with console_app.sessions() as session:
        draft = drafts.current(session)
        assert draft is not None and off_topic in draft.files["out_of_scope.yaml"]

    page = console.get("/unanswered")
    key = page.text.split('name="key" value="')[1].split('"')[0]
    response = console.post("/unanswered/dismiss", {"key": key, "text": other})
    assert "Đã bỏ qua" in page_text(response)
    assert other not in page_text(response)
    assert last_audit(console_app)[1:] == ("console.dismiss", other)


def test_disliked_answers_are_listed_with_their_question(console_app: App) -> None:
    question = console_app.content.faq[ENTRY].question
    replies = say(console_app, question)
    press_label(console_app, replies, "Chưa đúng ý")
    console = signed_in(console_app)
    page = page_text(console.get("/unanswered"))
    assert "Câu trả lời bị chê 👎" in page
    assert f"1 {question}" in page
    assert f"Bot đã trả lời bằng mục «{question}»" in page


def test_an_unknown_entry_or_theme_is_reported_not_saved(console_app: App) -> None:
    console = signed_in(console_app)
    response = console.post("/unanswered/phrasing", {"faq_id": "khong-co", "text": QUESTION})
    assert "không qua bước kiểm tra" in page_text(response)
    assert "khong-co" in page_text(response)
    assert "Chưa có thay đổi nào" in page_text(console.get("/draft"))


def test_a_worse_figure_needs_an_explicit_confirmation(console_app: App) -> None:
    console = signed_in(console_app)
    entry = console_app.content.faq[ENTRY]
    form = {
        "action": "save",
        "question": "Một câu hỏi khác hẳn?",
        "phrasings": "",
        "answer": entry.answer,
        "details": entry.details,
        "source_note": entry.source_note,
        "sources": "\n".join(entry.sources),
        "related": ", ".join(entry.related),
    }
    assert console.post(f"/faq/{ENTRY}", form).status_code == 200
    draft = page_text(console.get("/draft"))
    assert "kém đi" in draft
    refused = publish(console)
    assert "đánh dấu ô xác nhận" in page_text(refused)
    with console_app.sessions() as session:
        assert versions.latest_number(session) == 1
    confirmed = publish(console, confirm=True)
    assert confirmed.url.path == "/console/versions/2"


def test_a_version_can_be_restored(console_app: App) -> None:
    console = signed_in(console_app)
    console.post("/unanswered/phrasing", {"faq_id": ENTRY, "text": QUESTION})
    publish(console)
    assert console_app.faq_index.match(QUESTION).id == ENTRY
    history = page_text(console.get("/versions"))
    assert "console:lan" in history and "nạp từ thư mục content/" in history
    version = page_text(console.get("/versions/2"))
    assert f'+ - "{QUESTION}"' in version.replace("+      ", "+ ")
    restored = console.post("/versions/1/restore")
    assert restored.url.path == "/console/versions/3"
    assert "Đã khôi phục" in page_text(restored)
    assert console_app.content_version == 3
    assert console_app.faq_index.match(QUESTION).status is not Status.ANSWER
    assert last_audit(console_app)[1:] == ("console.restore", "version 1 -> 3")


def test_draft_changed_by_someone_else_is_not_published_blind(console_app: App) -> None:
    console = signed_in(console_app)
    console.post("/unanswered/phrasing", {"faq_id": ENTRY, "text": QUESTION})
    page = console.get("/draft")
    seen = page.text.split('name="seen" value="')[1].split('"')[0]
    console.post("/unanswered/phrasing", {"faq_id": ENTRY, "text": "thư viện sách ở xã"})
    response = console.post("/draft/publish", {"seen": seen})
    assert "vừa được người khác sửa" in page_text(response)


async def test_another_process_app_picks_up_a_published_version(
    make_app: AppFactory, db_url: str
) -> None:
    writer = make_app(db_url, **CONSOLE_SETTINGS)
    seed(writer)
    reader = make_app(db_url)
    seed(reader)
    reloader = ContentReloader(reader, reader.sessions, CONTENT_DIR, reader.now, interval=0.05)
    await reloader.start()
    try:
        console = await asyncio.to_thread(signed_in, writer)
        await asyncio.to_thread(
            console.post, "/unanswered/phrasing", {"faq_id": ENTRY, "text": QUESTION}
        )
        await asyncio.to_thread(publish, console)
        for _ in range(600):  # up to 30 s: the reader rebuilds its index (and vectors)
            if reader.content_version == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await reloader.stop()
    assert reader.content_version == 2
    assert reader.faq_index.match(QUESTION).id == ENTRY
