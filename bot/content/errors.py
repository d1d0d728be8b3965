"""The error raised for invalid content, and a one-line summary of validation errors."""

from __future__ import annotations

from pydantic import ValidationError


class ContentError(Exception):
    """Content is invalid; the message names the file and the entry."""


def describe_error(error: Exception) -> str:
    """Summarise a validation error in one line (`field.path: problem; ...`)."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
        )
    return str(error)
