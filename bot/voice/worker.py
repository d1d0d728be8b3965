"""Hear queued voice notes in the background and queue what was heard for confirmation.

The message's own processing only queues the note (bot.voice.jobs, in the transaction that
handles the update), so a voice note never holds up the chat's or anyone's typed questions
and survives a crash. `VOICE_CONCURRENCY` workers fetch, transcribe (in the voice service's
worker processes) and answer: the replies go into the outbox in the transaction that
forgets the note, so they are sent like every reply (rate limit, retries on 429 and 5xx) and
a crash before that commit means the note is heard again, never that it is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from bot.db import repo_outbox
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


class Answers(Protocol):
    """The dispatcher as the worker sees it."""

    def handle_in(self, session: Session, incoming: Incoming) -> list[Reply]:
        """Return the replies to one message within the caller's transaction."""
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
        """Take back notes a stopped worker held, then start the workers (none: voice off)."""
        if self.app.voice is None:
            return
        released = await asyncio.to_thread(self._release_all)
        if released:
            log.info("voice worker: %s note(s) left by a stopped worker heard again", released)
        count = self.app.settings.voice_concurrency
        self._tasks = [asyncio.create_task(self._run(), name=f"voice-{n}") for n in range(count)]

    async def stop(self) -> None:
        """Stop; a note being heard stays queued and is heard again by the next worker."""
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
        """Hear one queued note and queue its replies; return False when there was none."""
        voice, sources = self.app.voice, self._sources()
        if voice is None or not sources:
            return False
        job = await asyncio.to_thread(self._claim, list(sources))
        if job is None:
            return False
        audio = job.incoming.audio
        assert audio is not None
        if job.attempts > jobs.MAX_ATTEMPTS:  # its workers kept dying: say so, once
            heard = replace(job.incoming, audio=replace(audio, problem="unavailable"))
        else:
            heard = await self._hear(voice, job, sources[job.incoming.channel])
            assert heard.audio is not None
            if heard.audio.problem == "unavailable" and job.attempts < jobs.MAX_ATTEMPTS:
                await asyncio.to_thread(self._in_session, jobs.retry_later, job)
                return True
        await asyncio.to_thread(self._answer, job, heard)
        return True

    async def _hear(self, voice: VoiceService, job: Job, source: AudioSource) -> Incoming:
        """Hear the note, renewing its claim meanwhile."""
        keeper = asyncio.create_task(self._keep(job))
        try:
            return await voice.hear(job.incoming, source.fetch_audio)
        finally:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)

    async def _keep(self, job: Job) -> None:
        while True:
            await asyncio.sleep(jobs.RENEW.total_seconds())
            try:
                await asyncio.to_thread(self._in_session, jobs.renew, job)
            except Exception:
                log.exception("voice worker: could not renew a claim")

    def _in_session(self, step: Callable[..., None], job: Job) -> None:
        """Run a claim step (renew, retry_later) on the job in a transaction of its own."""
        with self.app.sessions.begin() as session:
            step(session, job_id=job.id, now=self.app.now())

    def _release_all(self) -> int:
        with self.app.sessions.begin() as session:
            return jobs.release_all(session)

    def _claim(self, channels: list[str]) -> Job | None:
        with self.app.sessions.begin() as session:
            return jobs.claim(session, channels=channels, now=self.app.now())

    def _answer(self, job: Job, heard: Incoming) -> None:
        """Dispatch what was heard, queue the replies and forget the note, in one transaction."""
        with self.app.sessions.begin() as session:
            if not jobs.finish(session, job_id=job.id):
                return  # another worker answered it meanwhile
            replies = self.app.dispatcher.handle_in(session, heard)
            repo_outbox.enqueue_replies(
                session, replies, channel=heard.channel, chat_id=heard.chat_id, now=self.app.now()
            )


def create_service(app: VoiceParts) -> VoiceWorker:
    """Return the voice worker service for the app."""
    return VoiceWorker(app)
