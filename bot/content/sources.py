"""Rules for the sources an answer cites: no repository paths, no cut links, not only foreign."""

from __future__ import annotations

import re

# A path inside this repository or the shared specs ("shared/spec/x.md", "content/faq.yaml").
_REPO_PATH = re.compile(
    r"(?:^|[\s(])(?:shared|spec|content|bot|handlers|tests|docs?|seed)/\S*"
    r"|\b[\w-]+\.(?:md|py|ya?ml|tsv|toml)\b",
    re.IGNORECASE,
)
# A link cut short: an ellipsis inside a word-with-slashes ("lawnet.vn/a-…-16408.html").
_CUT_LINK = re.compile(r"\S*/\S*(?:…|\.\.\.)\S*|\S*(?:…|\.\.\.)\S*/\S*")
_LINK = re.compile(r"https?://|\b[a-z0-9-]+\.(?:vn|com|net|org|edu|gov|info)\b", re.IGNORECASE)
_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(/\S*)?", re.IGNORECASE)
# Pages in another language: an English or French edition of a site, or an /en/ section.
_FOREIGN_SUBDOMAINS = ("en.", "english.", "e.", "fr.", "www.en.")
_FOREIGN_HOSTS = frozenset(
    {"sggpnews.org.vn", "vietnamnews.vn", "tuoitrenews.vn", "vir.com.vn", "rajahtannasia.com"}
)
_FOREIGN_PATH = re.compile(r"/(?:en|english|fr)(?:/|$)", re.IGNORECASE)


def has_link(text: str) -> bool:
    """Return whether the text holds a web address."""
    return bool(_LINK.search(text))


def source_problem(source: str) -> str | None:
    """Return why a source line is not fit to show a citizen, or None when it is."""
    if _REPO_PATH.search(source):
        return f"source names a repository file, not a public source: {source!r}"
    if _CUT_LINK.search(source):
        return f"source has a cut-short link (…): {source!r}"
    return None


def is_foreign_page(source: str) -> bool:
    """Return whether every link in the source points to a foreign-language page."""
    links = [m for m in _HOST.finditer(source) if "." in m.group(1)]
    if not links or _has_vietnamese_reference(source, links):
        return False
    return all(_foreign_link(m.group(1).lower(), m.group(2) or "") for m in links)


def _foreign_link(host: str, path: str) -> bool:
    """Return whether one host and path are a foreign-language edition."""
    return (
        host.startswith(_FOREIGN_SUBDOMAINS)
        or host in _FOREIGN_HOSTS
        or bool(_FOREIGN_PATH.search(path))
    )


def _has_vietnamese_reference(source: str, links: list[re.Match[str]]) -> bool:
    """Return whether the source also names a Vietnamese document (e.g. "QĐ 677/QĐ-TTg")."""
    rest = source
    for match in links:
        rest = rest.replace(match.group(0), " ")
    return bool(re.search(r"\b(?:QĐ|NĐ|NQ|TT|KH|CV|Kế hoạch|Quyết định|Nghị định)\b", rest))
