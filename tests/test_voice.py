"""Voice notes without the model: the text-only reply, why voice is off, forged buttons."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.db.models_messaging import OutboxMessage
from bot.messages import AudioRef, Incoming, Kind
from bot.voice import jobs
from bot.voice.hearing import VoiceService
from bot.voice.model import PACKAGED_FILES, ModelSource, packaged_model
from bot.voice.models import PendingTranscript, VoiceJob
from bot.voice.worker import VoiceWorker
from tests.cdht_helpers import user_id
from tests.conftest import AppFactory, FakeClock
from tests.helpers import press, say, telegram_app, telegram_polling, texts
from tests.standins.bot_api import BotApiStandIn
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import serving, zalo_bot_settings

TEXT_ONLY = "chỉ đọc được tin nhắn chữ"
TED = "6ede9afa66b88fe6d6a9"


def voice_note(user: str = "citizen-1") -> Incoming:
    """A voice note as a channel maps it, before any voice step."""
    return Incoming("console", user, user, kind=Kind.VOICE, audio=AudioRef("file-1", 3.0))


async def test_voice_off_a_telegram_voice_note_gets_the_text_only_reply_and_is_not_fetched(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    app = telegram_app(make_app, sqlite_url, bot_api)
    assert app.voice is None
    async with telegram_polling(app):
        bot_api.user_sends_voice(b"OggS-not-fetched", seconds=3)
        await bot_api.wait_for(1)
        assert TEXT_ONLY in bot_api.sent(42)[0]["text"]
    assert "getFile" not in bot_api.methods()


async def test_voice_off_a_zalo_bot_voice_message_gets_the_text_only_reply(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    app = make_app(sqlite_url, **zalo_bot_settings(zalo, zalo_bot_poll_timeout=1))
    url = zalo.host_media("note.aac", b"not fetched")
    async with serving(app) as (runtime, _client):
        assert runtime.zalo_bot is not None
        update = zalo.bot_user_sends_voice(url, user_id=TED)
        heard = runtime.zalo_bot.to_incoming(update)
        assert heard is not None and heard.audio == AudioRef(url, None)  # what voice would fetch
        await zalo.wait_for(1, "sendMessage")
        assert TEXT_ONLY in zalo.bot_sent(TED)[0]


def test_startup_log_says_why_voice_is_off(
    make_app: AppFactory, sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.voice"):
        quiet = make_app(sqlite_url)
    assert quiet.voice is None
    assert "voice notes: off (VOICE_ENABLED is not set)" in caplog.text

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.voice"):
        app = make_app(sqlite_url, voice_enabled=True, voice_model_dir=tmp_path)
    assert app.voice is None
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert "voice notes: off" in warning.getMessage()
    # Without the extra the reason is the missing package; with it, the empty model folder.
    assert "faster-whisper is not installed" in warning.getMessage() or (
        f"VOICE_MODEL_DIR={tmp_path} lacks model.bin, config.json, tokenizer.json"
        in warning.getMessage()
    )
    assert TEXT_ONLY in texts(app.dispatcher.handle(voice_note()))


def test_packaged_model_whose_bytes_differ_from_the_pinned_checksums_is_refused(
    tmp_path: Path,
) -> None:
    folders = [tmp_path / "part1", tmp_path / "part2"]
    for (index, name), _digest in PACKAGED_FILES.items():
        folders[index].mkdir(exist_ok=True)
        (folders[index] / name).write_bytes(b"not the model")
    source, reason = packaged_model(folders)
    assert source is None
    assert "does not match its pinned checksum" in reason


FORGED = ["vc:ok:AAAAAAAA", "vc:no:AAAAAAAA", "vc:ok:", "vc:", "vc:xx:AAAAAAAA", "vc:ok:../../"]


@pytest.mark.parametrize("payload", FORGED)
def test_forged_or_stale_voice_buttons_get_a_short_polite_reply(app: App, payload: str) -> None:
    replies = press(app, payload)
    assert texts(replies) == app.content.messages.text("voice.stale")
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PendingTranscript)) == 0


def test_a_queued_note_is_claimed_once_per_lease_then_answered_unavailable_after_three_tries(
    app: App, clock: FakeClock
) -> None:
    note = voice_note()
    say(app, "/start")
    with app.sessions.begin() as session:
        jobs.add(session, user_id=user_id(app, note.user_id), incoming=note, now=clock())
    for attempt in range(1, jobs.MAX_ATTEMPTS + 2):
        with app.sessions.begin() as session:
            job = jobs.claim(session, channels=["console"], now=clock())
            assert job is not None and job.attempts == attempt
            assert job.incoming == note  # rebuilt as the channel mapped it
        with app.sessions.begin() as session:  # another worker: the note is leased
            assert jobs.claim(session, channels=["console"], now=clock()) is None
            assert jobs.claim(session, channels=["telegram"], now=clock()) is None
        clock.advance(seconds=jobs.LEASE.total_seconds() + 1)
    # Its workers died 3 times (or it failed 3 times): the 4th claim answers it politely.
    app.voice = VoiceService(ModelSource("never loaded"), max_seconds=60, concurrency=1)
    app.channels.register(_Downloads())
    with app.sessions.begin() as session:
        session.execute(update(VoiceJob).values(claimed_until=None))
    assert asyncio.run(VoiceWorker(app).run_once())
    assert outbox_texts(app) == [app.content.messages.text("voice.unavailable")]
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(VoiceJob)) == 0


class _Downloads:
    """A channel that can download voice notes (never asked to here)."""

    name = "console"

    async def fetch_audio(self, audio: AudioRef, max_bytes: int) -> bytes:
        raise AssertionError("a note given up on is not downloaded again")


def outbox_texts(app: App) -> list[str]:
    """Return the texts queued in the outbox, oldest first."""
    with app.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.payload["text"] for row in rows]
