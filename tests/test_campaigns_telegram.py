"""A poster's deep link on Telegram: the real PTB Application against the Bot API stand-in."""

from __future__ import annotations

from sqlalchemy import select

from bot.campaigns import service
from bot.campaigns.models import UserSource
from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_app, telegram_polling
from tests.standins.bot_api import BotApiStandIn


def button(params: dict, label_part: str) -> str:
    """Return the callback data of the button whose label contains the text."""
    return next(b["callback_data"] for b in buttons_of(params) if label_part in b["text"])


async def test_deep_link_start_greets_for_the_place_and_prefills_it(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, db_url, bot_api)
    with app.sessions.begin() as session:
        service.create_code(
            session, app.content, code="laivung-2026", title=None, place="Lai Vung",
            created_by="test", now=app.now(),
        )  # fmt: skip
    async with telegram_polling(app):
        bot_api.user_says("/start laivung-2026")  # what Telegram sends after t.me/...?start=
        await bot_api.wait_for(1)
        greeting = bot_api.sent(42)[-1]
        assert "Chào Anh/Chị ở xã Lai Vung!" in greeting["text"]
        bot_api.user_presses(button(greeting, "Đăng ký Công dân học tập"))
        await bot_api.wait_for(2)
        bot_api.user_presses(button(bot_api.sent(42)[-1], "Tôi đồng ý"))
        await bot_api.wait_for(3)
        bot_api.user_says("Nguyễn Thị Lan")
        await bot_api.wait_for(4)
        bot_api.user_says("1980")
        await bot_api.wait_for(5)
        bot_api.user_presses(button(bot_api.sent(42)[-1], "Nữ"))
        await bot_api.wait_for(6)
        place = bot_api.sent(42)[-1]
        assert "ở xã Lai Vung phải không?" in place["text"]
        bot_api.user_presses(button(place, "Đúng, xã Lai Vung"))
        await bot_api.wait_for(7)
        assert "nhóm đối tượng" in bot_api.sent(42)[-1]["text"]
    with app.sessions() as session:
        assert session.scalars(select(UserSource.code)).all() == ["laivung-2026"]
