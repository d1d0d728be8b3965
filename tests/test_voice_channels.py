"""Voice end to end: a Telegram voice note and a Zalo OA audio message, heard and answered."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.voice.hearing import VoiceService
from tests.conftest import AppFactory, FakeClock
from tests.helpers import buttons_of, telegram_app, telegram_polling
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.voice_clips import FAQ_CLIP
from tests.zalo_helpers import CITIZEN, now_ms, post_event, serving, zalo_oa_app
from tests.zalo_helpers import buttons_of as zalo_buttons

pytestmark = pytest.mark.voice
HEARD = "🎙️ Em nghe Anh/Chị hỏi: «"
ANSWER = "Hội Khuyến học Việt Nam thành lập"


def share_model(app: App, voice_service: VoiceService) -> App:
    """Give the app the session's loaded model instead of loading its own."""
    assert app.voice is not None
    app.voice.close()
    app.voice = voice_service
    return app


async def test_telegram_voice_note_is_heard_confirmed_and_answered(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn, voice_service: VoiceService
) -> None:
    app = share_model(telegram_app(make_app, db_url, bot_api, voice_enabled=True), voice_service)
    async with telegram_polling(app, services=True):  # the voice worker is a service
        bot_api.user_sends_voice(FAQ_CLIP.read_bytes(), seconds=3)
        await bot_api.wait_for(1, timeout=60)
        offered = bot_api.sent(42)[0]
        assert offered["text"].startswith(HEARD) and "khuyến học" in offered["text"].lower()
        assert [b["text"] for b in buttons_of(offered)] == ["✅ Đúng", "✏️ Không, em gõ lại"]
        assert "getFile" in bot_api.methods()

        bot_api.user_presses(buttons_of(offered)[0]["callback_data"])
        await bot_api.wait_for(2)
        assert ANSWER in bot_api.sent(42)[1]["text"]


async def test_zalo_oa_audio_message_is_heard_confirmed_and_answered(
    make_app: AppFactory,
    sqlite_url: str,
    zalo: ZaloStandIn,
    clock: FakeClock,
    voice_service: VoiceService,
) -> None:
    app = share_model(zalo_oa_app(make_app, sqlite_url, zalo, voice_enabled=True), voice_service)
    url = zalo.host_media("note.aac", FAQ_CLIP.read_bytes())
    async with serving(app) as (runtime, client):
        assert client is not None
        await runtime.start_services()  # the voice worker
        event = zalo.oa_event(
            "user_send_audio", CITIZEN, at_ms=now_ms(clock), attachment_url=url
        )
        assert (await post_event(client, event)).status_code == 200
        await zalo.wait_for(1, timeout=60)
        offered = zalo.oa_sent(CITIZEN)[0]
        assert offered["text"].startswith(HEARD)
        yes = zalo_buttons(offered)[0]
        assert yes["title"] == "✅ Đúng"

        press = zalo.oa_event(
            "user_send_text", CITIZEN, at_ms=now_ms(clock) + 1, text=yes["payload"]
        )
        await post_event(client, press)
        await zalo.wait_for(2)
        assert ANSWER in zalo.oa_sent(CITIZEN)[1]["text"]
