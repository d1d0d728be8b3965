"""Read curated YAML files with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.content.errors import ContentError


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming the file and line when it is broken."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as error:
        raise ContentError(f"{path}: file is missing") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{path}: not valid YAML: {error}") from error
    except UnicodeDecodeError as error:
        raise ContentError(f"{path}: not UTF-8 text") from error
