"""Import every model module so the metadata knows all tables.

The core's own models live in bot/db; each feature keeps its models in its package and is
named here by string, so the core never imports a feature.
"""

import importlib

MODEL_MODULES = [
    "bot.db.models",
    "bot.db.models_zalo",
    "bot.db.models_messaging",
    "bot.admins.models",
    "bot.cdht.models",
    "bot.reminders.models",
    "bot.broadcast.models",
    "bot.voice.models",
    "bot.console.models",
    "bot.dashboard.models",
    "bot.campaigns.models",
]


def import_all_models() -> None:
    """Import the model modules listed above."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
