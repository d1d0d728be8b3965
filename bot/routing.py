"""Build the routing table: commands, button payloads, flows, text patterns and the fallback.

Route and RouteKind live in bot.context beside the Context their handlers take.
"""

from __future__ import annotations

from bot.context import Handler, Predicate, Route, RouteKind

__all__ = ["Route", "RouteKind", "button", "command", "fallback", "flow", "text", "voice"]


def command(name: str, handler: Handler, *, admin: bool = False, menu: bool = False) -> Route:
    """Route `/name` (with or without arguments) to the handler."""
    return Route(RouteKind.COMMAND, name, handler, admin=admin, in_menu=menu and not admin)


def button(prefix: str, handler: Handler, *, admin: bool = False) -> Route:
    """Route button payloads `prefix:...` to the handler."""
    return Route(RouteKind.BUTTON, prefix, handler, admin=admin)


def flow(name: str, handler: Handler, *, admin: bool = False) -> Route:
    """Route free text to the handler while the user is in the named flow."""
    return Route(RouteKind.FLOW, name, handler, admin=admin)


def text(name: str, predicate: Predicate, handler: Handler) -> Route:
    """Route free text for which the predicate holds."""
    return Route(RouteKind.TEXT, name, handler, predicate=predicate)


def voice(handler: Handler) -> Route:
    """Route a voice note (heard or not) to the handler."""
    return Route(RouteKind.VOICE, "voice", handler)


def fallback(handler: Handler) -> Route:
    """Route any text nothing else took."""
    return Route(RouteKind.FALLBACK, "fallback", handler)
