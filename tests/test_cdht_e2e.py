"""CDHT end to end: the terminal chat with scripted input, and Telegram pressing real buttons."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.cdht.models import Assessment, Registration
from bot.channels.console import ConsoleChannel
from tests.cdht_helpers import user_id
from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_polling
from tests.standins.bot_api import BotApiStandIn


def test_terminal_register_assess_export_delete(sqlite_app: App, tmp_path: Path) -> None:
    # On the terminal a number up to the count of buttons presses that button.
    script = "\n".join(
        [
            "/dangky",
            "1",  # Tôi đồng ý
            "nguyễn thị lan",
            "1975",
            "2",  # Nữ
            "h. Lấp Vò",
            "1",  # xã Lấp Vò
            "2",  # Người lao động
            "1",  # Có (công đoàn)
            "0912345678",
            "/tudanhgia",
            *["c"] * 10,  # "8 điểm – Thường xuyên" (choices are lettered) ten times
            "/ketqua",
            "/taidulieu",
            "/xoadulieu",
            "1",  # Xóa hết
            "/thoat",
        ]
    )
    out = io.StringIO()
    channel = ConsoleChannel(
        sqlite_app, io.StringIO(script + "\n"), out, user_id="lan", files_dir=tmp_path
    )
    asyncio.run(channel.run())
    output = out.getvalue()
    assert "Traceback" not in output and "trục trặc" not in output
    assert "đã lưu đăng ký" in output and "xã Lấp Vò" in output
    assert "80/100" in output and "Đạt mức Công dân học tập" in output
    assert "Năm 2026: 80/100 — Đạt" in output
    saved = list(tmp_path.glob("du-lieu-cua-toi-*.json"))
    assert saved and "Nguyễn Thị Lan" in saved[0].read_text(encoding="utf-8")
    assert "đã xóa toàn bộ" in output
    assert user_id(sqlite_app, "lan") is None


def test_terminal_typed_digits_are_scores_not_button_numbers(
    sqlite_app: App, tmp_path: Path
) -> None:
    script = "\n".join(
        [
            "/dangky",
            "1",
            "trần văn an",
            "1980",
            "1",
            "h. Lấp Vò",
            "1",
            "2",
            "2",
            "1",
            "/tudanhgia",
            *["6"] * 10,
            "/thoat",
        ]
    )
    out = io.StringIO()
    channel = ConsoleChannel(
        sqlite_app, io.StringIO(script + "\n"), out, user_id="an", files_dir=tmp_path
    )
    asyncio.run(channel.run())
    output = out.getvalue()
    assert "  a) " in output  # the choices of a question are lettered on the terminal
    assert "60/100" in output


class Chat:
    """A citizen on Telegram: says things, presses buttons the bot sent, reads replies."""

    def __init__(self, bot_api: BotApiStandIn, chat_id: int = 42) -> None:
        self.api, self.chat_id, self.seen = bot_api, chat_id, 0

    async def _replies(self, minimum: int = 1) -> list[dict[str, Any]]:
        deadline = time.monotonic() + 10
        while len(self.api.sent(self.chat_id)) < self.seen + minimum:
            assert time.monotonic() < deadline, "the bot did not answer"
            await asyncio.sleep(0.02)
        count = 0
        while count != len(self.api.sent(self.chat_id)):  # the other replies of this message
            count = len(self.api.sent(self.chat_id))
            await asyncio.sleep(0.2)
        new = self.api.sent(self.chat_id)[self.seen :]
        self.seen += len(new)
        return new

    async def says(self, text: str, minimum: int = 1) -> list[dict[str, Any]]:
        self.api.user_says(text, user_id=self.chat_id)
        return await self._replies(minimum)

    async def presses(self, replies: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
        for params in replies:
            for button in buttons_of(params):
                if label in button["text"]:
                    self.api.user_presses(button["callback_data"], user_id=self.chat_id)
                    return await self._replies()
        raise AssertionError(f"no button {label!r}")


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(p.get("text") or p.get("caption") or "") for p in replies)


async def test_telegram_register_assess_stats_export_delete(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = make_app(
        db_url,
        telegram_bot_token="123:TEST",
        telegram_api_base_url=bot_api.base_url,
        admin_ids=("telegram:42",),
    )
    async with telegram_polling(app):
        chat = Chat(bot_api)
        replies = await chat.says("/start")
        replies = await chat.presses(replies, "Đăng ký Công dân học tập")
        replies = await chat.presses(replies, "Tôi đồng ý")
        assert "họ và tên" in text_of(replies)
        assert "2–80" in text_of(await chat.says("X"))
        await chat.says("Lê Văn Tám")
        replies = await chat.says("1968")
        replies = await chat.presses(replies, "Nam")
        replies = await chat.says("tp sa dec")
        replies = await chat.presses(replies, "phường Sa Đéc")
        replies = await chat.presses(replies, "Cán bộ")
        replies = await chat.presses(replies, "Không")
        replies = await chat.presses(replies, "Bỏ qua")
        assert "đã lưu đăng ký" in text_of(replies)
        replies = await chat.presses(replies, "Tự đánh giá")
        for label in ["10 điểm"] * 4 + ["5 điểm"] * 2:
            replies = await chat.presses(replies, label)
        replies = await chat.presses(replies, "Câu trước")
        assert "Câu 6/10" in text_of(replies)
        replies = await chat.presses(replies, "0 điểm")
        for _ in range(4):
            replies = await chat.presses(replies, "10 điểm")
        result = text_of(replies)
        assert "85/100" in result and "Chưa đạt" in result and "Câu 6 (0 điểm)" in result
        answer = await chat.presses(replies, "Câu 6:")
        assert "trực tuyến" in text_of(answer).lower()

        stats = await chat.says("/thongke", minimum=2)
        assert "Đăng ký: 1 người" in text_of(stats)
        photo = [c for c in bot_api.calls if c.method == "sendPhoto"]
        assert photo and "thong-ke-cdht-2026.png" in photo[0].params["photo"]
        export = await chat.says("/xuatdulieu --nam 2026")
        assert "1 dòng" in text_of(export)
        documents = [c for c in bot_api.calls if c.method == "sendDocument"]
        assert documents and ".csv" in documents[0].params["document"]

        replies = await chat.says("/xoadulieu")
        replies = await chat.presses(replies, "Xóa hết")
        assert "đã xóa toàn bộ" in text_of(replies)
        with app.sessions() as session:
            assert session.scalars(select(Registration)).all() == []
            assert session.scalars(select(Assessment)).all() == []
