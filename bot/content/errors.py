"""The error raised for invalid content."""


class ContentError(Exception):
    """Content is invalid; the message names the file and the entry."""
