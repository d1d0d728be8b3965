"""The voice step of processing: fetch a voice note, transcribe it off the loop, forget it."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from bot.config import Settings
from bot.messages import AudioFetch, AudioRef, AudioTooLarge, Incoming
from bot.voice.model import find_model
from bot.voice.transcriber import AudioUnreadable, Transcriber

log = logging.getLogger(__name__)

MAX_AUDIO_BYTES = 8 * 1024 * 1024  # 60 s of voice is ~0.5 MB (Opus) to ~2.4 MB (MP3 320k)


class VoiceService:
    """Hears voice notes: at most `concurrency` at once, in their own threads."""

    def __init__(self, transcriber: Transcriber, *, concurrency: int) -> None:
        self.transcriber = transcriber
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="voice")

    async def hear(self, incoming: Incoming, fetch: AudioFetch) -> Incoming:
        """Return the message with its transcript, or with the reason nothing was heard."""
        audio = incoming.audio
        assert audio is not None, "hear() needs a voice note"
        transcript, problem = await self._listen(audio, fetch)
        return replace(incoming, audio=replace(audio, transcript=transcript, problem=problem))

    async def _listen(self, audio: AudioRef, fetch: AudioFetch) -> tuple[str | None, str | None]:
        """Return (transcript, None) or (None, problem key)."""
        if audio.seconds is not None and audio.seconds > self.transcriber.max_seconds:
            return None, "too_long"
        try:
            data = await fetch(audio, MAX_AUDIO_BYTES)
        except AudioTooLarge:
            return None, "too_long"
        except Exception:
            log.exception("voice: could not download the voice note")
            return None, "unavailable"
        loop = asyncio.get_running_loop()
        try:
            heard = await loop.run_in_executor(self._pool, self.transcriber.transcribe, data)
        except AudioUnreadable as error:
            log.warning("voice: unreadable audio: %s", error)
            return None, "unreadable"
        except Exception:
            log.exception("voice: transcription failed")
            return None, "unavailable"
        finally:
            del data  # the audio lives in memory only and is dropped here, heard or not
        if heard.too_long:
            return None, "too_long"
        return heard.text, None

    def close(self) -> None:
        """Stop the transcription threads (work not started is dropped)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def build_voice(settings: Settings) -> VoiceService | None:
    """Return the voice service when enabled and a valid model exists; log why voice is off."""
    if not settings.voice_enabled:
        log.info("voice notes: off (VOICE_ENABLED is not set); they get the text-only reply")
        return None
    source, reason = find_model(settings.voice_model_dir)
    if source is None:
        log.warning("voice notes: off, %s; they get the text-only reply", reason)
        return None
    log.info("voice notes: on, %s", reason)
    transcriber = Transcriber(source, max_seconds=settings.voice_max_seconds)
    return VoiceService(transcriber, concurrency=settings.voice_concurrency)
