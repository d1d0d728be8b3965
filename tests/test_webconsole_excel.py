"""Web console: the FAQ as an Excel workbook, downloaded and uploaded back as a draft."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from bot.app import App
from bot.console import drafts
from tests.conftest import AppFactory
from tests.console_helpers import CONSOLE_SETTINGS, Console, page_text, seed, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def console_app(make_app: AppFactory, db_url: str) -> App:
    app = make_app(db_url, **CONSOLE_SETTINGS)
    seed(app)
    return app


def download(console: Console) -> Workbook:
    response = console.get("/excel/faq.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def upload(console: Console, book: Workbook) -> object:
    buffer = io.BytesIO()
    book.save(buffer)
    console.get("/excel")
    files = {"file": ("faq.xlsx", buffer.getvalue(), XLSX)}
    return console.client.post("/console/excel/upload", data={"csrf": console.csrf}, files=files)


def row_of(sheet: object, faq_id: str) -> int:
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if row[0] == faq_id:
            return number
    raise AssertionError(faq_id)


def test_the_download_holds_every_entry_one_per_row(console_app: App) -> None:
    sheet = download(signed_in(console_app)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["id", "question", "phrasings", "answer"]
    assert {"details", "source_note", "sources", "related"} <= set(header)
    assert sheet.max_row == 1 + len(console_app.content.faq)
    entry = console_app.content.faq["van-hoa-doc"]
    row = sheet[row_of(sheet, "van-hoa-doc")]
    assert row[1].value == entry.question
    assert row[2].value.split("\n") == list(entry.phrasings)
    assert {c.data_type for r in sheet.iter_rows(min_row=2) for c in r} <= {"s", "n"}


def test_an_edited_workbook_becomes_a_draft(console_app: App) -> None:
    console = signed_in(console_app)
    book = download(console)
    sheet = book.active
    number = row_of(sheet, "van-hoa-doc")
    sheet.cell(number, 3).value += "\ntủ sách ấp có cho mượn về nhà không"
    sheet.append(
        [
            "muc-tu-excel",
            "Câu hỏi thêm từ Excel?",
            "hỏi từ excel",
            "Trả lời từ Excel.",
            "",
            "Nguồn A",
            "Nguồn A",
        ]
    )
    response = upload(console, book)
    assert response.url.path == "/console/draft", page_text(response)
    page = page_text(response)
    assert "Excel: sửa 1 mục, thêm 1 mục" in page
    with console_app.sessions() as session:
        draft = drafts.current(session)
        assert draft is not None
        assert '"Trả lời từ Excel."' in draft.files["faq/moi.yaml"]
        assert "tủ sách ấp có cho mượn về nhà không" in draft.files["faq/hoc-tap.yaml"]


def test_each_bad_row_is_reported_by_number_and_nothing_is_taken(console_app: App) -> None:
    console = signed_in(console_app)
    book = download(console)
    sheet = book.active
    sheet.cell(3, 2).value = "ab"
    sheet.cell(5, 4).value = ""
    sheet.cell(6, 8).value = "khong-co-muc-nay"
    response = upload(console, book)
    assert response.status_code == 422
    page = page_text(response)
    assert "3 dòng có lỗi" in page
    assert "Dòng 3 question (câu hỏi) ⚠ Quá ngắn: cần ít nhất 3 ký tự." in page
    assert "Dòng 5 answer (câu trả lời)" in page
    assert "Dòng 6 related (mục liên quan) ⚠ Mục liên quan «khong-co-muc-nay» không có." in page
    with console_app.sessions() as session:
        assert drafts.current(session) is None


def test_a_file_that_is_not_a_workbook_is_refused_clearly(console_app: App) -> None:
    console = signed_in(console_app)
    console.get("/excel")
    files = {"file": ("faq.xlsx", b"not a workbook", XLSX)}
    response = console.client.post(
        "/console/excel/upload", data={"csrf": console.csrf}, files=files
    )
    assert response.status_code == 422
    assert "không phải tệp Excel" in page_text(response)
