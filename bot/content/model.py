"""The loaded content: what curators edit, validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.faq import FaqEntry
from bot.content.messages import Messages


@dataclass
class Content:
    """Everything curators edit, validated."""

    folder: Path
    faq: dict[str, FaqEntry]
    messages: Messages
    abbreviations: dict[str, str]
    sections: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Any:
        """Return a feature's loaded data file."""
        return self.sections[name]
