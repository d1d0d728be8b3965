"""Turn a voice note into Vietnamese text with faster-whisper, on the CPU, without a network."""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import zlib
from dataclasses import dataclass
from typing import Any

from bot.voice.model import ModelSource

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
LANGUAGE = "vi"
BEAM_SIZE = 5
COMPUTE_TYPE = "int8"
CPU_THREADS = 1  # one core per transcription: the other serves typed questions
NUM_WORKERS = 1  # one transcription at a time per model (VOICE_CONCURRENCY adds processes)
# Whisper's initial prompt biases recognition toward the words the bot's citizens use. Keep
# it short: a longer list (measured in bench_voice's notes) made base echo it on unclear audio.
DOMAIN_PROMPT = "Khuyến học, công dân học tập, học bổng, công đoàn, xóa mù chữ."
# One greedy-beam pass, no temperature fallback: the same clip always gives the same text, and
# a hard clip costs one pass, not six (the fallback's sampling made it slow and random).
TEMPERATURE = 0.0
# A clip whose loudest sample stays under this (about -40 dBFS) holds no speech: Whisper would
# make words up from silence (heard: a list of the prompt's words), so it is not recognised.
SILENT_PEAK = 0.01
MAX_COMPRESSION = 2.4  # Whisper's own bound: text that compresses more is a repetition loop
_WORDS = re.compile(r"\w+", re.UNICODE)


class AudioUnreadable(Exception):
    """The bytes are not audio the decoder understands."""


@dataclass(frozen=True)
class Heard:
    """What a voice note said, and how long it was."""

    text: str
    seconds: float
    too_long: bool = False


def is_noise(text: str) -> bool:
    """Return whether the text is empty, only prompt words, or a repetition loop.

    Whisper does the last two on unclear audio: it echoes its prompt or repeats a token.
    """
    words = _WORDS.findall(text.lower())
    if not words or set(words) <= set(_WORDS.findall(DOMAIN_PROMPT.lower())):
        return True
    data = text.encode()
    return len(data) > 24 and len(data) / len(zlib.compress(data)) > MAX_COMPRESSION


class Transcriber:
    """Loads the model once, on first use, and transcribes one clip at a time per thread."""

    def __init__(self, source: ModelSource, *, max_seconds: float) -> None:
        self.source = source
        self.max_seconds = max_seconds
        self._model: Any = None
        self._lock = threading.Lock()

    def model(self) -> Any:
        """Return the loaded model, loading it the first time (thread-safe)."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
                from faster_whisper import WhisperModel

                files = self.source.files()
                path = str(self.source.folder) if files is None else self.source.name
                self._model = WhisperModel(
                    path,
                    device="cpu",
                    compute_type=COMPUTE_TYPE,
                    cpu_threads=CPU_THREADS,
                    num_workers=NUM_WORKERS,
                    local_files_only=True,
                    files=files,
                )
                log.info("voice: model loaded (%s)", self.source.name)
            return self._model

    def transcribe(self, data: bytes) -> Heard:
        """Return the text of a clip; a clip over the limit is refused before recognition."""
        from faster_whisper.audio import decode_audio

        try:
            samples = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
        except Exception as error:  # noqa: BLE001 - PyAV raises many kinds for bad input
            raise AudioUnreadable(str(error)) from error
        seconds = len(samples) / SAMPLE_RATE
        if seconds > self.max_seconds:
            return Heard("", seconds, too_long=True)
        if not len(samples) or float(abs(samples).max()) < SILENT_PEAK:
            return Heard("", seconds)
        segments, _info = self.model().transcribe(
            samples,
            language=LANGUAGE,
            beam_size=BEAM_SIZE,
            initial_prompt=DOMAIN_PROMPT,
            condition_on_previous_text=False,
            temperature=TEMPERATURE,
        )
        text = " ".join(segment.text.strip() for segment in segments).strip()
        return Heard("" if is_noise(text) else text, seconds)
