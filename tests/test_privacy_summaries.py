"""Summaries in Vietnamese words, and download links of the person's files go with them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.db import repo_zalo
from bot.db.models_zalo import DownloadLink
from bot.privacy.personal_data import user_tables
from tests.cdht_helpers import register
from tests.helpers import press_label, say, texts

NAME = "Trần Thị Bích Ngọc"


def test_profile_and_delete_summaries_use_words_not_table_names(sqlite_app: App) -> None:
    register(sqlite_app, name=NAME)
    say(sqlite_app, "nhắc tôi 20h mỗi ngày học bài")
    press_label(sqlite_app, say(sqlite_app, "nhắc tôi 21h mỗi ngày đọc sách"), "Lưu")
    say(sqlite_app, "học bổng khuyến học")
    names = {table.name for table, _ in user_tables()}
    profile = texts(say(sqlite_app, "/hoso"))
    asked = texts(say(sqlite_app, "/xoadulieu"))
    assert "lời nhắc: 1" in profile and "lời nhắc: 1" in asked
    for text in (profile, asked):
        assert not [name for name in names if f"{name}:" in text], text


def test_download_links_of_the_persons_files_are_deleted(sqlite_app: App) -> None:
    register(sqlite_app, name=NAME)
    now = sqlite_app.now()
    with sqlite_app.sessions.begin() as session:
        for token, data in (("a" * 64, f"{NAME};0912 345 678".encode()), ("b" * 64, b"other")):
            repo_zalo.add_link(
                session,
                token_hash=token,
                filename="cdht.csv",
                data=data,
                now=now,
                until=now + timedelta(hours=1),
            )
    press_label(sqlite_app, say(sqlite_app, "/xoadulieu"), "Xóa hết")
    with sqlite_app.sessions.begin() as session:
        assert [link.token_hash for link in session.scalars(select(DownloadLink))] == ["b" * 64]
