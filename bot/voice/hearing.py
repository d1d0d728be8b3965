"""The voice step: fetch a voice note, transcribe it in a worker process, forget the audio."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from bot.config import Settings
from bot.messages import AudioFetch, AudioRef, AudioTooLarge, Incoming
from bot.voice import recogniser
from bot.voice.model import ModelSource, find_model
from bot.voice.transcriber import AudioUnreadable, Heard, Transcriber

log = logging.getLogger(__name__)

MAX_AUDIO_BYTES = 8 * 1024 * 1024  # 60 s of voice is ~0.5 MB (Opus) to ~2.4 MB (MP3 320k)


class VoiceService:
    """Hears voice notes in `concurrency` worker processes of low priority (one core each).

    Recognition runs outside the bot's process so that it never holds the bot's GIL or its
    cores at the same priority as typed questions; each worker loads the model once, on its
    first note. `transcriber` is an in-process one for tools and tests (loaded only if used).
    """

    def __init__(self, source: ModelSource, *, max_seconds: float, concurrency: int) -> None:
        self.source = source
        self.max_seconds = max_seconds
        self.concurrency = concurrency
        self.transcriber = Transcriber(source, max_seconds=max_seconds)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    async def hear(self, incoming: Incoming, fetch: AudioFetch) -> Incoming:
        """Return the message with its transcript, or with the reason nothing was heard."""
        audio = incoming.audio
        assert audio is not None, "hear() needs a voice note"
        transcript, problem = await self._listen(audio, fetch)
        return replace(incoming, audio=replace(audio, transcript=transcript, problem=problem))

    async def transcribe(self, data: bytes) -> Heard:
        """Transcribe a clip in a worker process (raising AudioUnreadable for bad input)."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._workers(), recogniser.transcribe, data)
        except BrokenProcessPool:
            self._reset()  # a worker died (killed, out of memory): start fresh next time
            raise

    async def _listen(self, audio: AudioRef, fetch: AudioFetch) -> tuple[str | None, str | None]:
        """Return (transcript, None) or (None, problem key)."""
        if audio.seconds is not None and audio.seconds > self.max_seconds:
            return None, "too_long"
        try:
            data = await fetch(audio, MAX_AUDIO_BYTES)
        except AudioTooLarge:
            return None, "too_long"
        except Exception:
            log.exception("voice: could not download the voice note")
            return None, "unavailable"
        try:
            heard = await self.transcribe(data)
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

    def _workers(self) -> ProcessPoolExecutor:
        """Return the worker pool, starting it on first use (spawned: no forked threads)."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.concurrency,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=recogniser.start,
                    initargs=(self.source, self.max_seconds, os.getpid()),
                )
            return self._pool

    def _reset(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the worker processes (work not started is dropped)."""
        self._reset()


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
    return VoiceService(
        source, max_seconds=settings.voice_max_seconds, concurrency=settings.voice_concurrency
    )
