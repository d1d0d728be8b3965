"""Hold the architecture's lines: layers, no import cycle, SDKs only in channels, message keys.

Every module under bot/ and handlers/ is parsed with ast and every import counts: top-level,
inside functions and under `if TYPE_CHECKING:`. A module may import its own layer (as long as
no cycle forms) and any layer below it, never one above.

Where the layers deviate from the plain picture, on purpose:

- `bot.context` and `bot.routing` (Context, Route, the helpers ROUTES is built with) sit
  *below* the handlers: every handler is written against them. The dispatcher, which runs
  the table, stays above the handlers.
- `bot.channels.base` (the Channel protocol, the channel registry and delivery errors)
  belongs to the core although it sits in bot/channels/: features, the messaging core and
  the app's parts all name a channel or a delivery error, and it imports only bot.messages.
- Lower layers never import `bot.app`: they take the parts they use, described by a
  Protocol defined low (`bot.parts.Parts` for features, messaging and channels;
  `bot.context.AppParts` adds the matcher, the route table and the admin checks for the
  dispatcher, handlers and channels). `bot.app.App` provides both.
- KNOWN_CROSSINGS lists the upward imports still in the code, each with its reason; the
  test fails when one is no longer needed, so the list only shrinks.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol

from bot.admins.auth import Caller
from bot.app import App
from bot.content import load_content
from bot.content.sections import SECTIONS
from bot.context import AppParts, Context, RouteTable
from bot.db.registry import MODEL_MODULES
from bot.parts import Parts
from bot.services import SERVICE_FACTORIES
from tests.conftest import CONTENT_DIR, ROOT

MESSENGER_MODULES = {"telegram", "httpx"}
SOURCE_DIRS = [ROOT / "bot", ROOT / "handlers"]
KEY_CALL = re.compile(r"""\b(?:t|say|text)\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")

# Top to bottom. A module belongs to the layer of its longest matching prefix; new packages
# are placed here before they are added (an unplaced module fails the test).
LAYERS: list[tuple[str, list[str]]] = [
    ("entry points", ["bot.cli", "bot.__main__", "bot.runner", "bot.app", "bot.services"]),
    ("channels", ["bot.channels", "bot.web", "bot.console_web", "bot.zalo"]),
    ("messaging", ["bot.messaging"]),
    ("dispatch", ["bot.dispatch", "bot.flood"]),
    ("handlers", ["handlers"]),
    ("routing", ["bot.context", "bot.routing"]),
    (
        "features",
        [
            "bot.cdht",
            "bot.reminders",
            "bot.broadcast",
            "bot.support",
            "bot.matching",
            "bot.privacy",
            "bot.admins",
            "bot.handoff",
            "bot.console",
            "bot.dashboard",
            "bot.campaigns",
            "bot.voice",
        ],
    ),
    (
        "core",
        [
            "bot",  # the package itself only (see ROOT_PACKAGES)
            "bot.db",
            "bot.content",
            "bot.messages",
            "bot.config",
            "bot.logs",
            "bot.parts",
            "bot.channels.base",
            "bot.reach",  # how a message reaches its citizen (Zalo's window, ZNS)
        ],
    ),
]

# Matched exactly, so a new module directly under bot/ must be placed in LAYERS.
ROOT_PACKAGES = {"bot"}

# (importing package or module, imported module): why the upward import is still there.
KNOWN_CROSSINGS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Module:
    """A project module: its dotted name, file and whether it is a package's __init__."""

    name: str
    path: Path
    is_package: bool


def python_files() -> list[Path]:
    return [path for folder in SOURCE_DIRS for path in folder.rglob("*.py")]


def project_modules() -> dict[str, Module]:
    modules = {}
    for path in python_files():
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    return modules


def imported_names(module: Module) -> set[str]:
    """Return every dotted name the module imports, wherever the import statement sits."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(module.path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from P import x`: x is either the submodule P.x or a name defined in P.
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Return, for each project module, the project modules it imports."""
    modules = project_modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module in modules.values():
        targets = {owner(name) for name in imported_names(module)}
        graph[module.name] = {t for t in targets if t is not None and t != module.name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> tuple[int, str] | None:
    """Return (depth, prefix) of the module's layer by its longest matching prefix."""
    best: tuple[int, str] | None = None
    for depth, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            nested = prefix not in ROOT_PACKAGES and module.startswith(prefix + ".")
            if module == prefix or nested:
                if best is None or len(prefix) > len(best[1]):
                    best = (depth, prefix)
    return best


def crossing_key(importer: str, imported: str) -> tuple[str, str] | None:
    """Return the KNOWN_CROSSINGS key that allows this import, if any."""
    for source, target in KNOWN_CROSSINGS:
        if (importer == source or importer.startswith(source + ".")) and imported == target:
            return source, target
    return None


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_is_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert found == [], f"import cycles (pass what is needed down instead): {found}"


def test_the_cycle_finder_sees_type_checking_and_function_imports(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    source = tmp_path / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import App\n"
        "def f():\n    from handlers import faq\n    from . import sibling\n"
    )
    names = imported_names(Module("bot.pkg.m", source, is_package=False))
    assert {"bot.app.App", "handlers.faq", "bot.pkg.sibling"} <= names


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(name for name in project_modules() if layer_of(name) is None)
    assert unplaced == [], f"place these in LAYERS (tests/test_architecture.py): {unplaced}"


def test_no_layer_imports_a_higher_one() -> None:
    offenders, used = [], set()
    for importer, targets in sorted(import_graph().items()):
        for imported in sorted(targets):
            (low, _), (high, _) = layer_of(importer), layer_of(imported)  # type: ignore[misc]
            if high >= low:
                continue
            allowed = crossing_key(importer, imported)
            if allowed:
                used.add(allowed)
            else:
                offenders.append(
                    f"{importer} ({LAYERS[low][0]}) imports {imported} ({LAYERS[high][0]})"
                )
    assert offenders == [], "a lower layer imports a higher one (see LAYERS)"
    stale = sorted(set(KNOWN_CROSSINGS) - used)
    assert stale == [], f"no longer needed, remove from KNOWN_CROSSINGS: {stale}"


def test_every_model_module_is_registered_for_the_metadata() -> None:
    defines_models = {
        module.name
        for module in project_modules().values()
        for node in ast.walk(ast.parse(module.path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id == "Base" for base in node.bases)
    }
    assert defines_models == set(MODEL_MODULES)


def test_every_module_named_by_string_exists() -> None:
    paths = [section.loader_path for section in SECTIONS] + SERVICE_FACTORIES
    for path in paths:
        module_name, function_name = path.split(":")
        assert callable(getattr(importlib.import_module(module_name), function_name)), path


def protocol_members(protocol: type) -> set[str]:
    """Return the attribute and method names a Protocol (and its bases) asks for."""
    names: set[str] = set()
    for cls in protocol.__mro__:
        if cls in (object, Protocol, Generic):
            continue
        names.update(getattr(cls, "__annotations__", {}))
        names.update(n for n, v in vars(cls).items() if not n.startswith("_") and callable(v))
        names.update(n for n, v in vars(cls).items() if isinstance(v, property))
    return names


def test_the_app_provides_the_parts_the_layers_below_take(sqlite_app: App) -> None:
    assert {"settings", "sessions", "content", "channels", "now"} <= protocol_members(Parts)
    for protocol, provider in [
        (Parts, sqlite_app),
        (AppParts, sqlite_app),
        (RouteTable, sqlite_app.dispatcher),
    ]:
        missing = sorted(n for n in protocol_members(protocol) if not hasattr(provider, n))
        assert missing == [], f"{type(provider).__name__} lacks {protocol.__name__}: {missing}"
    context_members = set(Context.__dataclass_fields__) | set(dir(Context))
    assert protocol_members(Caller) - context_members == set()


def test_only_channel_adapters_import_messenger_sdks() -> None:
    offenders = []
    channels = ROOT / "bot" / "channels"
    for path in python_files():
        if channels in path.parents:
            continue
        bad = imported_roots(path) & MESSENGER_MODULES
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert offenders == []


def test_handlers_never_import_a_channel() -> None:
    for path in (ROOT / "handlers").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "bot.channels" not in source, path


def test_every_message_key_used_in_code_exists() -> None:
    messages = load_content(CONTENT_DIR).messages
    missing = []
    for path in python_files():
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if key not in messages:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []
