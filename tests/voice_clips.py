"""Voice test material: the clips, whether the voice extra is here, and WER/CER."""

from __future__ import annotations

import io
import re
import wave
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from bot.voice.model import find_model
from tests.conftest import ROOT

VOICE_DIR = ROOT / "tests" / "data" / "voice"
FAQ_CLIP = VOICE_DIR / "hoi-khuyen-hoc.ogg"  # espeak-ng: "Hội khuyến học làm gì?"
NAME_CLIP = VOICE_DIR / "ten-nguyen-thi-lan.ogg"  # espeak-ng: "Nguyễn Thị Lan"
CLIP_PACKAGE = "vieneu"  # Apache-2.0; human clips in vieneu/assets/samples/
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Clip:
    """A recorded sentence and what the speaker said."""

    speaker: str
    path: Path
    text: str


def missing_voice() -> str | None:
    """Return why the voice tests cannot run here, or None."""
    source, reason = find_model(None)
    if source is None:
        return reason
    try:
        metadata.distribution(CLIP_PACKAGE)
    except metadata.PackageNotFoundError:
        return f"the test clips package {CLIP_PACKAGE} is not installed (make install-voice)"
    return None


def human_clips() -> list[Clip]:
    """Return vieneu's human clips (4 Northern, 2 Southern speakers) with their transcripts."""
    distribution = metadata.distribution(CLIP_PACKAGE)
    clips = []
    for file in distribution.files or []:
        name = str(file)
        if name.startswith("vieneu/assets/samples/") and name.endswith(".wav"):
            path = Path(str(distribution.locate_file(file)))
            text = path.with_suffix(".txt").read_text(encoding="utf-8").strip()
            clips.append(Clip(path.stem, path, text))
    return sorted(clips, key=lambda clip: clip.speaker)


def silence_wav(seconds: float, rate: int = 16_000) -> bytes:
    """Return a WAV file of silence of the given length."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def words(text: str) -> list[str]:
    """Return the lower-case words of a text, punctuation dropped."""
    return _WORD.findall(text.lower())


def error_rates(reference: str, heard: str) -> tuple[float, float]:
    """Return (word error rate, character error rate) of what was heard."""
    ref_words, heard_words = words(reference), words(heard)
    wer = Levenshtein.distance(ref_words, heard_words) / max(1, len(ref_words))
    ref_chars, heard_chars = " ".join(ref_words), " ".join(heard_words)
    cer = Levenshtein.distance(ref_chars, heard_chars) / max(1, len(ref_chars))
    return wer, cer
