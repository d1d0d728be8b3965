"""Voice replies go through the outbox, and a voice note survives a crash before it is heard."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.db.models_messaging import OutboxMessage
from bot.runner import Runtime
from bot.voice import jobs
from bot.voice.hearing import VoiceService
from bot.voice.models import VoiceJob
from tests.conftest import AppFactory
from tests.helpers import buttons_of, telegram_app, telegram_polling
from tests.processes import BotProcess, until
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.voice_clips import human_clips, silence_wav
from tests.zalo_helpers import serving, zalo_bot_settings

pytestmark = pytest.mark.voice
HEARD = "🎙️ Em nghe Anh/Chị hỏi: «"
TED = "6ede9afa66b88fe6d6a9"
RETRY_AFTER = 2


def share_model(app: App, voice_service: VoiceService) -> App:
    """Give the app the session's voice service (its worker has the model loaded)."""
    assert app.voice is not None
    app.voice.close()
    app.voice = voice_service
    return app


def clip() -> bytes:
    """A human Vietnamese clip (any clear speech: the confirmation shows what was heard)."""
    return human_clips()[0].path.read_bytes()


def confirmations(bot_api: BotApiStandIn) -> list[dict]:
    return [m for m in bot_api.sent(42) if m["text"].startswith(HEARD)]


async def test_a_429_on_the_confirmation_delays_it_by_retry_after_and_it_still_arrives(
    make_app: AppFactory, db_url: str, bot_api: BotApiStandIn, voice_service: VoiceService
) -> None:
    app = share_model(telegram_app(make_app, db_url, bot_api, voice_enabled=True), voice_service)
    bot_api.fail_next["sendMessage"] = {
        "error_code": 429,
        "description": f"Too Many Requests: retry after {RETRY_AFTER}",
        "parameters": {"retry_after": RETRY_AFTER},
    }
    async with telegram_polling(app, services=True):
        bot_api.user_sends_voice(clip(), seconds=3)
        await until(lambda: bot_api.accepted, 90, "the confirmation delivered")
        await asyncio.sleep(0.5)  # nothing more comes
    refused, resent = [c for c in bot_api.calls if c.method == "sendMessage"]
    assert refused.params["text"].startswith(HEARD)
    assert resent.params == refused.params  # the same confirmation, with its buttons
    assert [b["text"] for b in buttons_of(resent.params)] == ["✅ Đúng", "✏️ Không, em gõ lại"]
    (delivered_at, chat), = bot_api.accepted
    assert chat == "42" and delivered_at - refused.at >= RETRY_AFTER - 0.05
    with app.sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")).one()
        assert (row.status, row.attempts) == ("sent", 2)


async def test_a_note_claimed_by_a_process_that_died_is_heard_after_the_restart(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn, voice_service: VoiceService
) -> None:
    app = share_model(
        telegram_app(make_app, sqlite_url, bot_api, voice_enabled=True), voice_service
    )
    async with telegram_polling(app):  # processing only: the note is queued, nobody hears it
        bot_api.user_sends_voice(clip(), seconds=3)
        await until(lambda: _queued(app), 30, "the note queued")
    with app.sessions.begin() as session:  # a worker took it and died before answering
        assert jobs.claim(session, channels=["telegram"], now=app.now()) is not None
    assert bot_api.sent(42) == []

    again = share_model(
        telegram_app(make_app, sqlite_url, bot_api, voice_enabled=True), voice_service
    )
    async with telegram_polling(again, services=True):  # the restart, on the same database
        await until(lambda: confirmations(bot_api), 90, "the confirmation after the restart")
    assert len(confirmations(bot_api)) == 1
    assert not _queued(again)


def _queued(app: App) -> bool:
    with app.sessions() as session:
        return session.scalars(select(VoiceJob)).first() is not None


async def test_kill_9_while_a_note_is_heard_then_the_next_process_hears_it(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn, tmp_path: Path
) -> None:
    make_app(sqlite_url)  # the schema
    env = {"VOICE_ENABLED": "true", "SEND_CHAT_SECONDS": "0"}
    first = BotProcess(sqlite_url, bot_api.base_url, webhook=False, **env)
    second = BotProcess(sqlite_url, bot_api.base_url, webhook=False, **env)
    try:
        await first.start(tmp_path)
        bot_api.user_sends_voice(clip(), seconds=3)
        await until(lambda: "getFile" in bot_api.methods(), 60, "the note being fetched")
        workers = _children(first)
        first.kill()  # while it is heard: its worker loads the model for seconds
        assert confirmations(bot_api) == []
        await until(lambda: not any(_alive(pid) for pid in workers), 30,
                    f"the dead process's voice worker to exit: {_states(workers)}")

        await second.start(tmp_path)
        await until(lambda: confirmations(bot_api), 120, "the confirmation after the restart")
        await asyncio.sleep(1.0)  # nothing more comes
        assert len(confirmations(bot_api)) == 1
    finally:
        first.kill()
        second.kill()


def _alive(pid: int) -> bool:
    """Return whether a process runs (an exited one not reaped yet is a zombie, not alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _states(pids: list[int]) -> str:
    """Describe the processes, for a failure message."""
    return ", ".join(f"{pid}: {_alive(pid)} {_cmdline(pid)}" for pid in pids)


def _cmdline(pid: int) -> str:
    """Return a process's command line, for a failure message."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")[:120]
    except OSError:
        return "gone"


def _children(process: BotProcess) -> list[int]:
    """Return the pids of a bot process's children (its voice worker, once started)."""
    assert process.process is not None
    pid = process.process.pid
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


async def test_zalo_bot_voice_message_is_heard_and_a_long_one_refused_through_the_outbox(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, voice_service: VoiceService
) -> None:
    settings = zalo_bot_settings(zalo, zalo_bot_poll_timeout=1, voice_enabled=True)
    app = share_model(make_app(sqlite_url, **settings), voice_service)
    async with serving(app) as (runtime, _client):
        await runtime.start_services()
        zalo.bot_user_sends_voice(zalo.host_media("note.aac", clip()), user_id=TED)
        await zalo.wait_for(1, "sendMessage", timeout=90)
        offered = zalo.bot_sent(TED)[0]
        assert offered.startswith(HEARD)
        assert "1) ✅ Đúng" in offered and "2) ✏️ Không, em gõ lại" in offered

        zalo.bot_user_says("2", user_id=TED)  # the number presses "Không, em gõ lại"
        await zalo.wait_for(2, "sendMessage", timeout=30)
        assert zalo.bot_sent(TED)[1] == app.content.messages.text("voice.retype")

        # Zalo gives no length: a note over 60 s is refused once decoded.
        zalo.bot_user_sends_voice(zalo.host_media("long.wav", silence_wav(61)), user_id=TED)
        await zalo.wait_for(3, "sendMessage", timeout=90)
        assert zalo.bot_sent(TED)[2] == app.content.messages.text("voice.too_long", seconds=60)
    with app.sessions() as session:
        kinds = session.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == "reply"))
        assert list(kinds) == ["sent", "sent", "sent"]


async def test_a_runtime_restarted_on_the_same_database_hears_a_queued_note(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn, voice_service: VoiceService
) -> None:
    """The note stored in the inbox but not processed yet: handled, queued and heard later."""
    app = share_model(
        telegram_app(make_app, sqlite_url, bot_api, voice_enabled=True), voice_service
    )
    runtime = Runtime(app)
    from bot.channels.telegram import TelegramChannel

    runtime.telegram = TelegramChannel(app, runtime.core)
    update = bot_api.user_sends_voice(clip(), seconds=3)
    stored = runtime.telegram.received_of(update)
    assert stored is not None
    assert await runtime.core.intake([stored]) == 1  # stored; the process dies before handling
    bot_api.updates.clear()

    again = share_model(
        telegram_app(make_app, sqlite_url, bot_api, voice_enabled=True), voice_service
    )
    async with telegram_polling(again, services=True):
        await until(lambda: confirmations(bot_api), 90, "the confirmation")
    assert len(confirmations(bot_api)) == 1
