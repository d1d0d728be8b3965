"""The worker process that hears voice notes: low priority, one thread, the model loaded once."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

from bot.voice.model import ModelSource
from bot.voice.transcriber import Heard, Transcriber

NICENESS = 10  # typed questions in the bot's process go first when the cores are busy
ONE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PARENT_CHECK_SECONDS = 1.0
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal for this process when its parent dies

_transcriber: Transcriber | None = None


def start(source: ModelSource, max_seconds: float, parent: int) -> None:
    """Set up this worker process (the pool's initializer); the model loads on the first note.

    `parent` is the bot's process id: if it died while this worker was still starting, the
    worker now belongs to another parent and ends at once.
    """
    global _transcriber
    if hasattr(os, "nice"):  # POSIX
        os.nice(NICENESS)
    for name in ONE_THREAD:  # before numpy or CTranslate2 start their thread pools
        os.environ[name] = "1"
    _transcriber = Transcriber(source, max_seconds=max_seconds)
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def transcribe(data: bytes) -> Heard:
    """Return what the clip says (runs in the worker process)."""
    assert _transcriber is not None, "start() runs first, as the pool's initializer"
    try:
        return _transcriber.transcribe(data)
    finally:
        del data  # the audio is not kept here either


def _die_with_parent() -> None:
    """On Linux, have the kernel kill this worker as soon as the bot's process dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _exit_with(parent: int) -> None:
    """End this process once the bot's process is gone (e.g. killed with SIGKILL)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
