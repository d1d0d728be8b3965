"""Background services (scheduler, broadcast sender, ...) started beside the channels."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.app import App


class Service(Protocol):
    """Something that runs in the background while the bot is up."""

    async def start(self) -> None:
        """Start working."""
        ...

    async def stop(self) -> None:
        """Stop working, finishing or abandoning in-flight work safely."""
        ...


SERVICE_FACTORIES: list[str] = [
    # "module:function" taking the App and returning a Service, e.g.
    "bot.reminders.service:create_service",
    "bot.broadcast.service:create_service",
    "bot.privacy.retention:create_service",  # anonymises question logs past retention
    "bot.voice.worker:create_service",
    "bot.console.live:create_service",  # swaps in content published from the web console
    "bot.channels.download_links:create_service",  # deletes expired download links
]


def create_services(app: App) -> list[Service]:
    """Instantiate every registered background service for the app."""
    services = []
    for path in SERVICE_FACTORIES:
        module_name, function_name = path.split(":")
        services.append(getattr(importlib.import_module(module_name), function_name)(app))
    return services
