"""The bench harness is right (discovery, statistics, database naming, one tiny run).

Nothing here is timed: the figures themselves come from ``make bench``."""

import io
import sys
from urllib.parse import urlsplit

import pytest

from bench import dataset, registry, runner
from plie.core import demo


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(registry, "REGISTRY", {})
    return registry


def test_discovery_imports_every_benchmarks_module():
    found = registry.discover()
    assert "bench.benchmarks_core" in sys.modules
    assert {
        "participants.list_page.gestionnaire",
        "participants.list_page.direction_oi",
        "core.scope_for.direction_oi",
        "core.nightly_participant_count",
        "home.referent",
        "home.financeur",
        "home.direction_oi",
    } <= set(found)
    assert found["participants.list_page.gestionnaire"].target_ms == 500


def test_discovery_imports_only_benchmarks_modules(tmp_path, monkeypatch, empty_registry):
    package = tmp_path / "fakebench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("raise RuntimeError('not a benchmark module')\n")
    for app in ("a", "b"):
        (package / f"benchmarks_{app}.py").write_text(
            "from bench.registry import benchmark\n\n"
            f"@benchmark('{app}.one', target_ms=10)\n"
            "def one(ctx):\n    pass\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = registry.discover("fakebench")
    finally:
        for name in [name for name in sys.modules if name.startswith("fakebench")]:
            del sys.modules[name]
    assert list(found) == ["a.one", "b.one"]
    assert found["a.one"].target_ms == 10


def test_a_name_registered_twice_is_refused(empty_registry):
    @registry.benchmark("x.y")
    def first(ctx):
        pass

    with pytest.raises(ValueError, match="déjà enregistré"):

        @registry.benchmark("x.y")
        def second(ctx):
            pass


@pytest.mark.parametrize(
    ("only", "expected"),
    [
        (None, ["home.referent", "home.direction_oi", "participants.list_page.direction_oi"]),
        ("home", ["home.referent", "home.direction_oi"]),
        ("home.referent", ["home.referent"]),
        ("*.direction_oi", ["home.direction_oi", "participants.list_page.direction_oi"]),
        ("hom", []),
    ],
)
def test_select(only, expected):
    benchmarks = {
        name: registry.Benchmark(name, func=print)
        for name in ("home.referent", "home.direction_oi", "participants.list_page.direction_oi")
    }
    assert [bench.name for bench in registry.select(benchmarks, only)] == expected


@pytest.mark.parametrize(
    ("values", "median", "p95"),
    [
        ([5.0], 5.0, 5.0),
        ([3.0, 1.0, 2.0], 2.0, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 2.5, 4.0),
        ([7.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 4.0, 7.0),  # 7 runs: p95 is the slowest
        (list(range(1, 101)), 50.5, 95),
        (list(range(1, 21)), 10.5, 19),
    ],
)
def test_median_and_p95(values, median, p95):
    assert runner.median(values) == median
    assert runner.percentile(values, 95) == p95


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        runner.percentile([], 95)


def test_verdict_compares_the_median_with_the_target():
    assert runner.Result("a", 10, 90, 3, 7, target_ms=20).verdict == "PASS"
    assert runner.Result("a", 30, 31, 3, 7, target_ms=20).verdict == "FAIL"
    assert runner.Result("a", 30, 31, 3, 7).verdict == ""


def test_database_name():
    name = dataset.database_name(participants=100000, plies=10, seed=42, state="0123456789")
    assert name == "plie_bench_p100000_k10_s42_0123456789"
    assert len(name) <= 63  # PostgreSQL identifiers


def test_state_hash_follows_migrations_and_demo_builders(tmp_path):
    migrations = tmp_path / "app" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text("A")
    (tmp_path / "app" / "demo.py").write_text("D")
    (tmp_path / "app" / "views.py").write_text("V")
    hidden = tmp_path / ".venv" / "migrations"
    hidden.mkdir(parents=True)
    (hidden / "x.py").write_text("X")
    first = dataset.state_hash(tmp_path)
    assert len(first) == 10
    assert [p.relative_to(tmp_path).as_posix() for p in dataset.state_files(tmp_path)] == [
        "app/demo.py",
        "app/migrations/0001_initial.py",
    ]
    (tmp_path / "app" / "views.py").write_text("changed")
    (hidden / "x.py").write_text("changed")
    assert dataset.state_hash(tmp_path) == first
    (migrations / "0002_more.py").write_text("B")
    second = dataset.state_hash(tmp_path)
    assert second != first
    (tmp_path / "app" / "demo.py").write_text("D2")
    assert dataset.state_hash(tmp_path) not in (first, second)


def test_the_project_state_covers_core_and_participants_migrations():
    files = {p.relative_to(dataset.BASE_DIR).as_posix() for p in dataset.state_files()}
    assert {"plie/core/migrations/0001_initial.py", "participants/migrations/0001_initial.py"} <= files
    assert "plie/core/demo.py" in files


@pytest.mark.parametrize(
    ("database_url", "server"),
    [
        (None, "postgres://postgres@127.0.0.1:5432/"),
        ("sqlite:////tmp/db.sqlite3", "postgres://postgres@127.0.0.1:5432/"),
        (
            "postgres://u:p@db.example:6543/plie?sslmode=require",
            "postgres://u:p@db.example:6543/?sslmode=require",
        ),
    ],
)
def test_server_url(database_url, server):
    assert dataset.server_url(database_url) == server
    assert urlsplit(dataset.with_database(server, "plie_bench_x")).path == "/plie_bench_x"


def test_cli_refuses_bad_arguments(capsys):
    from bench.__main__ import parse_args

    assert parse_args([]).participants == 100000
    with pytest.raises(SystemExit):
        parse_args(["--runs", "0"])
    assert "--runs" in capsys.readouterr().err


@pytest.mark.django_db
def test_every_benchmark_runs_on_a_tiny_dataset():
    demo.build_world(participants=30, plies=2, seed=1, stdout=io.StringIO())
    ctx = runner.BenchContext.from_database()
    assert ctx.plie_codes == ["plie-lyon-sud", "plie-nord-isere"]
    results = runner.run_all(registry.select(registry.discover()), ctx, runs=1)
    assert len(results) == len(registry.REGISTRY)
    for result in results:
        assert result.queries > 0, result.name
        assert 0 <= result.median_ms <= result.p95_ms
        assert result.as_dict()["verdict"] in ("PASS", "FAIL", None)
    table = runner.format_table(results)
    assert "participants.list_page.direction_oi" in table
    assert runner.format_markdown(results).count("\n") == len(results) + 1


@pytest.mark.django_db
def test_context_needs_the_demo_accounts():
    with pytest.raises(RuntimeError, match="Aucun PLIE"):
        runner.BenchContext.from_database()
