"""Run every `tests/bench/bench_*.py` module; exit non-zero when a target is missed."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import tests.bench


def main(selected: list[str]) -> int:
    """Run the selected benchmark modules (all when none named) and report each target."""
    failures = 0
    for module_info in sorted(pkgutil.iter_modules(tests.bench.__path__), key=lambda m: m.name):
        name = module_info.name
        if not name.startswith("bench_") or (selected and name not in selected):
            continue
        module = importlib.import_module(f"tests.bench.{name}")
        print(f"== {name}", flush=True)  # noqa: T201
        for target, value, passed in module.run():
            mark = "PASS" if passed else "MISS"
            failures += not passed
            print(f"  [{mark}] {target}: {value}", flush=True)  # noqa: T201
    print("all targets met" if failures == 0 else f"{failures} target(s) missed")  # noqa: T201
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
