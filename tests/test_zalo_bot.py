"""The Zalo Bot API channel: webhook with a secret header, polling, numbered buttons."""

from __future__ import annotations

import pytest

from bot.config import SettingsError, load_settings
from tests.conftest import AppFactory, FakeClock
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import CITIZEN, now_ms, post_event, serving, zalo_bot_settings, zalo_oa_app

SECRET = "zalo-bot-secret-1"
WEBHOOK = "https://bot.example.vn/zalo/bot"
TED = "6ede9afa66b88fe6d6a9"


async def test_webhook_checks_the_secret_and_takes_wrapped_and_bare_updates(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn
) -> None:
    settings = zalo_bot_settings(
        zalo, zalo_bot_webhook_url=WEBHOOK, zalo_bot_webhook_secret=SECRET
    )
    async with serving(make_app(db_url, **settings)) as (runtime, client):
        assert zalo.bot_webhook == {"url": WEBHOOK, "secret_token": SECRET}
        update = zalo.bot_update("/start")
        wrong = await client.post(
            "/zalo/bot", json=update, headers={"X-Bot-Api-Secret-Token": "wrong-secret"}
        )
        missing = await client.post("/zalo/bot", json=update)
        assert wrong.status_code == 403 and missing.status_code == 403
        assert runtime.zalo_bot is not None
        await runtime.settle()
        assert zalo.bot_sent() == []

        headers = {"X-Bot-Api-Secret-Token": SECRET}
        wrapped = {"ok": True, "result": update}
        assert (await client.post("/zalo/bot", json=wrapped, headers=headers)).is_success
        await zalo.wait_for(1, "sendMessage")
        greeting = zalo.bot_sent(TED)[0]
        assert "Khuyến học Bot" in greeting and "Anh/Chị gõ số để chọn:" in greeting
        number = next(
            line.split(")")[0].strip() for line in greeting.splitlines() if "Hướng dẫn" in line
        )

        bare = zalo.bot_update(number)  # typing the number presses that button
        assert (await client.post("/zalo/bot", json=bare, headers=headers)).is_success
        await zalo.wait_for(2, "sendMessage")
        assert "/start" in zalo.bot_sent(TED)[1]


async def test_polling_answers_one_update_per_call(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    app = make_app(sqlite_url, **zalo_bot_settings(zalo, zalo_bot_poll_timeout=1))
    async with serving(app) as (runtime, client):
        assert runtime.server is None and client is None  # polling needs no web server
        assert "deleteWebhook" in [c.path for c in zalo.calls]
        zalo.bot_user_says("/help")
        zalo.bot_user_says("tuần lễ học tập suốt đời diễn ra khi nào")
        await zalo.wait_for(2, "sendMessage")
        help_text, answer = zalo.bot_sent(TED)
        assert "/start" in help_text and "10" in answer
        assert all(len(text) <= 2000 for text in zalo.bot_sent())


async def test_one_process_serves_telegram_zalo_oa_and_zalo_bot(
    make_app: AppFactory,
    sqlite_url: str,
    zalo: ZaloStandIn,
    bot_api: BotApiStandIn,
    clock: FakeClock,
) -> None:
    app = zalo_oa_app(
        make_app,
        sqlite_url,
        zalo,
        telegram_bot_token="123:TEST",
        telegram_api_base_url=bot_api.base_url,
        **zalo_bot_settings(zalo, zalo_bot_poll_timeout=1),
    )
    async with serving(app) as (runtime, client):
        assert sorted(app.channels.names()) == ["telegram", "zalo", "zalobot"]
        bot_api.user_says("/start")
        zalo.bot_user_says("/start")
        event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text="/start")
        assert (await post_event(client, event)).status_code == 200
        await bot_api.wait_for(1)
        await zalo.wait_for(1, "sendMessage")
        await zalo.wait_for(1)
        for text in (
            bot_api.sent(42)[0]["text"],
            zalo.bot_sent(TED)[0],
            zalo.oa_sent()[0]["text"],
        ):
            assert "Khuyến học Bot" in text


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"zalo_bot_webhook_secret": "short"}, "ZALO_BOT_WEBHOOK_SECRET"),
        ({"zalo_bot_webhook_url": WEBHOOK}, "ZALO_BOT_WEBHOOK_SECRET"),
        ({"zalo_oa_app_id": "1", "zalo_app_secret_key": "k"}, "ZALO_OA_SECRET_KEY"),
        ({"zalo_oa_app_id": "1", "zalo_oa_secret_key": "k"}, "ZALO_APP_SECRET_KEY"),
        ({"zalo_event_retention_hours": 1}, "ZALO_EVENT_RETENTION_HOURS"),
        ({"zalo_oa_button_type": "oa.open.sms"}, "ZALO_OA_BUTTON_TYPE"),
        ({"zalo_oa_webhook_path": "zalo"}, "ZALO_OA_WEBHOOK_PATH"),
        (
            {"zalo_bot_webhook_url": "http://x.vn/b", "zalo_bot_webhook_secret": SECRET},
            "ZALO_BOT_WEBHOOK_URL",
        ),
    ],
)
def test_bad_zalo_settings_name_the_variable(values: dict, variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None, **values)


async def test_a_typed_number_presses_the_button_in_any_process(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn
) -> None:
    settings = zalo_bot_settings(
        zalo, zalo_bot_webhook_url=WEBHOOK, zalo_bot_webhook_secret=SECRET
    )
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    async with serving(make_app(db_url, **settings)) as (_runtime, client):
        assert await client.post("/zalo/bot", json=zalo.bot_update("/start"), headers=headers)
        await zalo.wait_for(1, "sendMessage")
    greeting = zalo.bot_sent(TED)[0]
    number = next(
        line.split(")")[0].strip() for line in greeting.splitlines() if "Hướng dẫn" in line
    )
    # Another process (here: a restart, nothing kept in memory) reads the typed number.
    async with serving(make_app(db_url, **settings)) as (_runtime, client):
        typed = zalo.bot_update(number)
        assert (await client.post("/zalo/bot", json=typed, headers=headers)).is_success
        await zalo.wait_for(2, "sendMessage")
    assert "/start" in zalo.bot_sent(TED)[1]  # the /help answer, not "I did not understand"
