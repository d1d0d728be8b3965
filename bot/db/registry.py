"""Import every model module so the metadata knows all tables."""

import importlib

MODEL_MODULES = [
    "bot.db.models",
    "bot.db.models_cdht",
    "bot.db.models_zalo",
    "bot.db.models_reminders",
    "bot.db.models_broadcast",
    "bot.handoff.models",
]


def import_all_models() -> None:
    """Import the model modules listed above."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
