"""Registering benchmarks and discovering the modules that declare them.

A benchmark is a function of one argument, the :class:`bench.runner.BenchContext`, that does
the measured work once (one page, one call, one job)::

    @benchmark("participants.list_page.gestionnaire", target_ms=500)
    def list_page(ctx):
        assert ctx.client("gestionnaire").get("/participants/").status_code == 200

Any module named ``bench/benchmarks_<app>.py`` is imported by :func:`discover`: a later issue
adds its benchmarks by adding such a module, nothing else to change.

``floor=``: a function of the context running the raw SQL that gives the same figures (the
floor a page or an aggregate cannot beat), timed in the same run and printed with the ratio.
``writes=True``: the benchmark writes (an import, a consolidation): it runs after every read
benchmark and is followed by ``VACUUM ANALYZE`` (``bench.runner.settle``), so no read is ever
measured on tables bloated by dead rows (issue 17).
"""

import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import import_module

MODULE_PREFIX = "benchmarks_"


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable
    target_ms: float | None = None
    description: str = ""
    floor: Callable | None = None
    writes: bool = False


REGISTRY: dict[str, Benchmark] = {}


def benchmark(name, *, target_ms=None, floor=None, writes=False):
    """Register the decorated function as the benchmark ``name`` (dotted, e.g. ``home.referent``),
    with its raw-SQL ``floor`` if any; ``writes`` when it changes the data."""

    def decorator(func):
        existing = REGISTRY.get(name)
        if existing is not None and _origin(existing.func) != _origin(func):
            raise ValueError(f"Benchmark « {name} » déjà enregistré par {_origin(existing.func)}.")
        description = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else ""
        REGISTRY[name] = Benchmark(
            name=name, func=func, target_ms=target_ms, description=description, floor=floor, writes=writes
        )
        return func

    return decorator


def _origin(func):
    return f"{func.__module__}.{func.__qualname__}"


def discover(package="bench"):
    """Import every ``<package>/benchmarks_*.py`` module; returns the registry (registration order)."""
    module = import_module(package)
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda info: info.name):
        if info.name.startswith(MODULE_PREFIX):
            import_module(f"{package}.{info.name}")
    return dict(REGISTRY)


def select(benchmarks, only=None):
    """The benchmarks named ``only``: an exact name, a dotted prefix (``home``) or a glob (``*.oi``)."""
    if not only:
        return list(benchmarks.values())
    return [
        bench
        for name, bench in benchmarks.items()
        if name == only or name.startswith(f"{only}.") or fnmatchcase(name, only)
    ]
