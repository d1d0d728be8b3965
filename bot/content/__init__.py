"""Curated content: FAQ entries, message templates, abbreviations and feature data."""

from bot.content.loader import Content, ContentError, load_content

__all__ = ["Content", "ContentError", "load_content"]
