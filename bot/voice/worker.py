"""Hear queued voice notes in the background and send what was heard for confirmation.

The message's own processing only queues the note (bot.voice.jobs), so a voice note never
holds up the chat's or anyone's typed questions; `VOICE_CONCURRENCY` workers per process
fetch, transcribe (in the transcriber's threads) and answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bot.channels.base import DeliveryError
from bot.logs import pseudonym
from bot.messages import AudioRef, Incoming, Reply
from bot.parts import Parts
from bot.voice import jobs
from bot.voice.jobs import Job

if TYPE_CHECKING:
    from bot.voice.hearing import VoiceService

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25  # how often an idle worker looks for notes (other processes queue too)


@runtime_checkable
class AudioSource(Protocol):
    """A channel that can download a citizen's voice note."""

    name: str

    async def fetch_audio(self, audio: AudioRef, max_bytes: int) -> bytes:
        """Return the note's bytes (raising AudioTooLarge past max_bytes)."""
        ...

    async def send(self, chat_id: str, reply: Reply) -> str:
        """Send one reply."""
        ...


class Answers(Protocol):
    """The dispatcher as the worker sees it."""

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Return the replies to one message."""
        ...


class VoiceParts(Parts, Protocol):
    """What the worker uses of the app."""

    voice: VoiceService | None
    dispatcher: Answers


class VoiceWorker:
    """Fetches, hears and answers queued voice notes while the bot runs."""

    def __init__(self, app: VoiceParts) -> None:
        self.app = app
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start the workers (none when voice is off)."""
        if self.app.voice is None:
            return
        count = self.app.settings.voice_concurrency
        self._tasks = [asyncio.create_task(self._run(), name=f"voice-{n}") for n in range(count)]

    async def stop(self) -> None:
        """Stop; a note being heard is taken up again after its lease (see jobs.LEASE)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _run(self) -> None:
        while True:
            worked = False
            try:
                worked = await self.run_once()
            except Exception:
                log.exception("voice worker: a note failed; it is retried after its lease")
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.sleep(POLL_SECONDS)

    def _sources(self) -> dict[str, AudioSource]:
        """Return the running channels that can download voice notes."""
        found = {}
        for name in self.app.channels.names():
            channel = self.app.channels.get(name)
            if isinstance(channel, AudioSource):
                found[name] = channel
        return found

    async def run_once(self) -> bool:
        """Hear and answer one queued note; return False when there was none."""
        voice, sources = self.app.voice, self._sources()
        if voice is None or not sources:
            return False
        job = await asyncio.to_thread(self._claim, list(sources))
        if job is None:
            return False
        source = sources[job.incoming.channel]
        heard = await voice.hear(job.incoming, source.fetch_audio)
        assert heard.audio is not None
        if heard.audio.problem == "unavailable" and job.attempts < jobs.MAX_ATTEMPTS:
            return True  # a download or model failure: try again once the lease ends
        replies = await asyncio.to_thread(self._answer, job, heard)
        for reply in replies:
            try:
                await source.send(job.incoming.chat_id, reply)
            except DeliveryError as error:
                who = pseudonym(job.incoming.channel, job.incoming.user_id)
                log.warning("voice: reply to %s not delivered: %s", who, error)
                break
        return True

    def _claim(self, channels: list[str]) -> Job | None:
        with self.app.sessions.begin() as session:
            return jobs.claim(session, channels=channels, now=self.app.now())

    def _answer(self, job: Job, heard: Incoming) -> list[Reply]:
        """Dispatch what was heard, then drop the job (a crash between: asked once more)."""
        replies = self.app.dispatcher.handle(heard)
        with self.app.sessions.begin() as session:
            jobs.finish(session, job_id=job.id)
        return replies


def create_service(app: VoiceParts) -> VoiceWorker:
    """Return the voice worker service for the app."""
    return VoiceWorker(app)
