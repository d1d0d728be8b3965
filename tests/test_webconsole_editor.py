"""Web console: the FAQ editor with checks beside fields and a preview; the other files."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.console import drafts
from tests.conftest import AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, page_text, seed, signed_in

ENTRY = "van-hoa-doc"


@pytest.fixture
def console_app(make_app: AppFactory, sqlite_url: str) -> App:
    app = make_app(sqlite_url, **CONSOLE_SETTINGS)
    seed(app)
    return app


def entry_form(app: App, faq_id: str, **changes: str) -> dict[str, str]:
    entry = app.content.faq[faq_id]
    form = {
        "action": "save",
        "question": entry.question,
        "phrasings": "\n".join(entry.phrasings),
        "answer": entry.answer,
        "details": entry.details,
        "source_note": entry.source_note,
        "sources": "\n".join(entry.sources),
        "related": ", ".join(entry.related),
    }
    return {**form, **changes}


def draft_files(app: App) -> dict[str, str]:
    with app.sessions() as session:
        draft = drafts.current(session)
        return dict(draft.files) if draft else {}


def test_search_lists_matching_entries(console_app: App) -> None:
    console = signed_in(console_app)
    page = page_text(console.get("/faq", params={"q": "thu vien"}))
    assert console_app.content.faq[ENTRY].question in page
    assert console_app.content.faq["xoa-mu-chu"].question not in page
    assert "Không tìm thấy mục nào" in page_text(console.get("/faq", params={"q": "zzzz qqq"}))


def test_the_editor_shows_the_answer_as_a_phone_shows_it(console_app: App) -> None:
    console = signed_in(console_app)
    entry = console_app.content.faq[ENTRY]
    page = page_text(console.get(f"/faq/{ENTRY}"))
    assert "Trên điện thoại" in page
    assert "👍 Hữu ích" in page and "👎 Chưa đúng ý" in page
    for related in entry.related:
        assert console_app.content.faq[related].question in page
    assert f"{len(entry.answer)} / 1500 ký tự" in page


def test_a_saved_edit_goes_into_the_draft_only(console_app: App) -> None:
    console = signed_in(console_app)
    new_answer = console_app.content.faq[ENTRY].answer + "\nThêm một dòng cho bà con."
    response = console.post(f"/faq/{ENTRY}", entry_form(console_app, ENTRY, answer=new_answer))
    assert "Đã lưu vào bản nháp" in page_text(response)
    assert "Thêm một dòng cho bà con." in "".join(draft_files(console_app).values())
    assert "Thêm một dòng" not in console_app.content.faq[ENTRY].answer  # not published yet


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("answer", "", "Kiểm tra nội dung: answer is empty"),
        ("answer", "x" * 1600, "answer has 1600 characters, over 1500"),
        ("question", "ab", "Quá ngắn: cần ít nhất 3 ký tự."),
        ("sources", "", "sources are missing"),
        ("related", "khong-co-muc-nay", "unknown related id 'khong-co-muc-nay'"),
    ],
)
def test_a_problem_is_shown_beside_its_field_and_nothing_is_saved(
    console_app: App, field: str, value: str, shown: str
) -> None:
    console = signed_in(console_app)
    response = console.post(f"/faq/{ENTRY}", entry_form(console_app, ENTRY, **{field: value}))
    assert response.status_code == 422
    html = response.text
    label_at = html.index(f'name="{field}"')
    next_label = html.find("<label", label_at)
    assert shown in page_text(type("R", (), {"text": html[label_at:next_label]})())
    assert draft_files(console_app) == {}


def test_a_new_entry_from_an_unanswered_question(console_app: App) -> None:
    console = signed_in(console_app)
    question = "học đàn ca tài tử ở đâu"
    page = console.get("/faq/new", params={"question": question})
    assert question in page_text(page)
    form = {
        "action": "save",
        "id": "don-ca-tai-tu",
        "question": "Học đàn ca tài tử ở đâu?",
        "phrasings": question,
        "answer": "Anh/Chị hỏi Trung tâm Văn hóa – Học tập cộng đồng của xã/phường.",
        "source_note": "Ghi chú của cán bộ Hội Khuyến học",
        "sources": "Ghi chú của cán bộ Hội Khuyến học",
        "related": "trung-tam-hoc-tap-cong-dong",
    }
    response = console.post("/faq/new", form)
    assert response.url.path == "/console/faq/don-ca-tai-tu"
    assert "- id: don-ca-tai-tu" in draft_files(console_app)["faq/moi.yaml"]
    again = console.post("/faq/new", form)
    assert again.status_code == 422 and "Đã có mục mang mã này" in page_text(again)
    bad = console.post("/faq/new", {**form, "id": "Sai Mã"})
    assert "Chỉ dùng chữ thường không dấu" in page_text(bad)


def test_other_keys_of_an_entry_are_kept_and_checked(console_app: App) -> None:
    console = signed_in(console_app)
    response = console.post(f"/faq/{ENTRY}", entry_form(console_app, ENTRY, extra="lạ: 1"))
    assert response.status_code == 422
    assert "Trường này không có trong mẫu hỏi đáp" in page_text(response)
    broken = console.post(f"/faq/{ENTRY}", entry_form(console_app, ENTRY, extra="a: [b"))
    assert "Viết chưa đúng dạng" in page_text(broken)


def test_the_other_files_are_edited_with_content_check(console_app: App) -> None:
    console = signed_in(console_app)
    page = console.get("/files/abbreviations.yaml")
    text = page_text(page)
    assert "Từ viết tắt" in text
    original = draft_files(console_app).get("abbreviations.yaml") or (
        console_app.settings.content_dir / "abbreviations.yaml"
    ).read_text(encoding="utf-8")
    changed = original.replace(
        "abbreviations:\n", 'abbreviations:\n  "tthtcđ x": "trung tâm"\n', 1
    )
    saved = console.post("/files/abbreviations.yaml", {"text": changed})
    assert "Đã lưu vào bản nháp" in page_text(saved)
    assert draft_files(console_app)["abbreviations.yaml"] == changed
    broken = console.post("/files/events.yaml", {"text": "events:\n  - id: x\n"})
    assert broken.status_code == 422
    assert "events.yaml" in page_text(broken) and "Chưa lưu" in page_text(broken)
    assert console.get("/files/places.yaml").status_code == 404
