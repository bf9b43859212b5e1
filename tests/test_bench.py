"""The bench harness is right (discovery, statistics, database naming, one tiny run).

Nothing here is timed: the figures themselves come from ``make bench``."""

import io
import json
import os
import sys
from urllib.parse import urlsplit

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from bench import dataset, registry, runner
from plie.core import demo


def require_postgres():
    """The bench runs on PostgreSQL only: skipped elsewhere, a failure in CI."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        if os.environ.get("PLIE_REQUIRE_SERVICES") == "1":
            pytest.fail("nécessite PostgreSQL (DATABASE_URL)")
        pytest.skip("nécessite PostgreSQL (DATABASE_URL)")


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
        "participants.dossier.referent",
        "api.participants.gestionnaire",
        "api.entretiens.gestionnaire",
        "api.parcours.page_suivante",
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


def test_a_floor_gives_the_ratio():
    result = runner.Result("a", 30, 31, 3, 7, floor_ms=10)
    assert result.ratio == 3.0
    assert result.as_dict()["floor_ms"] == 10 and result.as_dict()["ratio"] == 3.0
    assert runner.Result("a", 30, 31, 3, 7).ratio is None
    row = runner.table_rows([result])[0]
    assert row[4:7] == ("", "10.0", "3.0×")
    # the time of its own queries, beside
    with_sql = runner.Result("a", 30, 31, 3, 7, floor_ms=10, sql_ms=12.4)
    assert runner.table_rows([with_sql])[0][4] == "12" and with_sql.as_dict()["sql_ms"] == 12.4


def test_writes_run_after_every_read(empty_registry):
    for name, writes in (("import.x", True), ("home.a", False), ("conso.y", True), ("home.b", False)):
        registry.benchmark(name, writes=writes)(print)
    ordered = runner.ordered(list(registry.REGISTRY.values()))
    assert [b.name for b in ordered] == ["home.a", "home.b", "import.x", "conso.y"]


def test_the_write_benchmarks_are_marked():
    found = registry.discover()
    writes = {name for name, bench in found.items() if bench.writes}
    assert {
        "import.parcours_121k",
        "reporting.nightly_consolidation",
        "core.nightly_participant_count",
    } <= writes
    assert not found["reporting.bilan_json"].writes
    for name in ("reporting.bilan_json", "dashboards.oi.direction_oi", "parcours.workspace.referent"):
        assert found[name].floor is not None, name


def test_the_readme_table_is_replaced_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"avant\n{runner.README_BEGIN}\nvieux\n{runner.README_END}\naprès\n")
    runner.replace_readme_table(readme, "| nouveau |", "plie_bench_x")
    assert readme.read_text() == (
        f"avant\n{runner.README_BEGIN}\nJeu `plie_bench_x` :\n\n| nouveau |\n{runner.README_END}\naprès\n"
    )
    readme.write_text("sans marqueurs")
    with pytest.raises(ValueError, match="Marqueurs"):
        runner.replace_readme_table(readme, "x", "y")


def test_the_load_table_in_markdown():
    from bench.load import format_load_markdown

    load = {5: {"accueil": {"req_s": 20.04, "p50_ms": 41.2, "p95_ms": 60.1, "p99_ms": None, "errors": 0}}}
    assert format_load_markdown(load).splitlines()[2] == "| 5 | accueil | 20.0 | 41.2 | 60.1 | — | 0 |"


def test_the_load_stage_only_targets_this_machine():
    from bench.load import run_level

    with pytest.raises(ValueError, match="127.0.0.1"):
        run_level("http://example.org", [("a", "p", "/")], {"p": ""}, users=1, seconds=0.1)


def test_verdict_compares_the_median_with_the_target():
    assert runner.Result("a", 10, 90, 3, 7, target_ms=20).verdict == "PASS"
    assert runner.Result("a", 30, 31, 3, 7, target_ms=20).verdict == "FAIL"
    assert runner.Result("a", 30, 31, 3, 7).verdict == ""


def test_database_name():
    name = dataset.database_name(participants=100000, plies=10, seed=42, state="0123456789")
    assert name == "plie_bench_p100000_k10_s42_e40_t4_r90_0123456789"
    assert len(name) <= 63  # PostgreSQL identifiers
    # every parameter of the dataset is in its name: another density is another database
    other = dataset.database_name(
        participants=300000, plies=10, seed=42, state="0123456789", entretiens=5, etapes=2, per_referent=100
    )
    assert other == "plie_bench_p300000_k10_s42_e5_t2_r100_0123456789" and len(other) <= 63


def test_state_hash_follows_the_generators_not_the_migrations(tmp_path):
    migrations = tmp_path / "app" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text("A")
    (tmp_path / "app" / "demo.py").write_text("D")
    (tmp_path / "app" / "views.py").write_text("V")
    (tmp_path / "app" / "apps.py").write_text(
        "def ready(self):\n    registry.register_home_panel(x)\n    registry.register_demo_step(demo.one)\n"
    )
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "densify.py").write_text("S")
    hidden = tmp_path / ".venv" / "x"
    hidden.mkdir(parents=True)
    (hidden / "demo.py").write_text("X")
    first = dataset.state_hash(tmp_path)
    assert len(first) == 10
    assert [p.relative_to(tmp_path).as_posix() for p in dataset.state_files(tmp_path)] == [
        "app/demo.py",
        "bench/densify.py",
    ]
    assert [p.relative_to(tmp_path).as_posix() for p in dataset.registration_files(tmp_path)] == [
        "app/apps.py"
    ]
    # neither a migration (brought forward on the cached copy), nor the rest of an apps.py, nor
    # another module, nor a hidden folder changes the dataset
    (migrations / "0002_more.py").write_text("B")
    (tmp_path / "app" / "views.py").write_text("changed")
    (hidden / "demo.py").write_text("changed")
    (tmp_path / "app" / "apps.py").write_text(
        "def ready(self):\n    registry.register_home_panel(y)\n    registry.register_demo_step(demo.one)\n"
    )
    assert dataset.state_hash(tmp_path) == first
    # a demo builder, the densification, a demo step or a parameter (the demo's date) does
    seen = {first}
    for change in (
        lambda: (tmp_path / "app" / "demo.py").write_text("D2"),
        lambda: (tmp_path / "bench" / "densify.py").write_text("S2"),
        lambda: (tmp_path / "app" / "apps.py").write_text("    registry.register_demo_step(demo.two)\n"),
    ):
        change()
        seen.add(dataset.state_hash(tmp_path))
    seen.add(dataset.state_hash(tmp_path, parameters={"date": "2027-01-01"}))
    assert len(seen) == 5


def test_the_project_state_covers_the_demo_builders_and_densify():
    files = {p.relative_to(dataset.BASE_DIR).as_posix() for p in dataset.state_files()}
    assert {
        "plie/core/demo.py",  # holds the demo's reference date
        "participants/demo.py",
        "plie/core/management/commands/seed_demo.py",
        "bench/densify.py",
    } <= files
    assert not any("/migrations/" in name for name in files)
    registrations = {p.relative_to(dataset.BASE_DIR).as_posix() for p in dataset.registration_files()}
    assert "participants/apps.py" in registrations


LEAF = ("participants", "0005_search_and_list_indexes")
BEFORE_LEAF = "0004_signalement_doublon"


@pytest.fixture
def cached_dataset_table():
    """The test database as a cached dataset (its ``bench_dataset`` table), dropped afterwards and
    left fully migrated whatever happens."""
    from django.core.management import call_command
    from django.db import connection

    yield {"participants": 0, "migrations": []}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {dataset.METADATA_TABLE}")
    call_command("migrate", verbosity=0, interactive=False)


@pytest.mark.django_db(transaction=True)
def test_a_cached_dataset_is_migrated_forward(cached_dataset_table):
    require_postgres()
    from django.core.management import call_command
    from django.db import connection

    # nothing pending: the metadata comes back untouched, nothing is written
    logs = []
    assert dataset.pending_migrations() == []
    assert dataset.migrate_forward(cached_dataset_table, log=logs.append) is cached_dataset_table
    assert logs == []
    # a merge brought a migration the cached copy does not have
    call_command("migrate", LEAF[0], BEFORE_LEAF, verbosity=0)
    assert dataset.pending_migrations() == [".".join(LEAF)]
    metadata = dataset.migrate_forward(cached_dataset_table, log=logs.append)
    assert dataset.pending_migrations() == []
    assert ".".join(LEAF) in logs[0] and "1 migration" in logs[0]
    assert metadata["participants"] == 0
    assert ".".join(LEAF) in metadata["migrations"]
    assert metadata["migrated"][-1]["applied"] == [".".join(LEAF)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT metadata::text FROM {dataset.METADATA_TABLE} WHERE id = 1")
        assert json.loads(cursor.fetchone()[0]) == metadata
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'participant_nom_prenom_id_idx'")
        assert cursor.fetchone() is not None


@pytest.mark.django_db(transaction=True)
def test_a_cached_dataset_that_cannot_be_migrated_is_rebuilt(cached_dataset_table):
    require_postgres()
    from django.db.migrations.recorder import MigrationRecorder

    # a renumbered migration: recorded under its old name, already in the schema under the new one
    recorder = MigrationRecorder.Migration.objects
    recorder.filter(app=LEAF[0], name=LEAF[1]).update(name="0099_old_number")
    logs = []
    try:
        assert dataset.pending_migrations() == [".".join(LEAF)]
        assert dataset.migrate_forward(cached_dataset_table, log=logs.append) is None
    finally:
        recorder.filter(app=LEAF[0], name="0099_old_number").update(name=LEAF[1])
    assert "reconstruite" in logs[-1] and "participant_nom_prenom_id_idx" in logs[-1]


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
    require_postgres()  # the bench's SQL floors and densities are PostgreSQL's
    demo.build_world(participants=30, plies=2, seed=1, today=demo.PINNED_DATE, stdout=io.StringIO())
    ctx = runner.BenchContext.from_database()
    assert ctx.plie_codes == ["plie-lyon-sud", "plie-nord-isere"]
    results = runner.run_all(registry.select(registry.discover()), ctx, runs=1)
    assert len(results) == len(registry.REGISTRY)
    for result in results:
        assert result.queries > 0, result.name
        assert result.sql_ms is not None and result.sql_ms >= 0, result.name
        assert 0 <= result.median_ms <= result.p95_ms
        assert result.as_dict()["verdict"] in ("PASS", "FAIL", None)
    table = runner.format_table(results)
    assert "participants.list_page.direction_oi" in table
    assert runner.format_markdown(results).count("\n") == len(results) + 1
    by_name = {result.name: result for result in results}
    assert by_name["reporting.bilan_json"].floor_ms > 0 and by_name["reporting.bilan_json"].ratio > 0
    # the writes came last
    names = [result.name for result in results]
    assert names.index("import.parcours_121k") > names.index("reporting.bilan_json")


@pytest.mark.django_db
def test_the_bilan_floor_runs_its_own_statements(django_assert_num_queries):
    """The bilan's floor sends its hand-written statements (one per section, written apart from
    the bilan's: ``tests/reporting/test_bilan_floor.py`` checks their figures), none of the
    bilan's."""
    from bench import floor_bilan, floors
    from bench.benchmarks_reporting import annee_du_bilan
    from reporting.bilan import bilan_annuel

    require_postgres()
    demo.build_world(participants=30, plies=2, seed=1, today=demo.PINNED_DATE, stdout=io.StringIO())
    ctx = runner.BenchContext.from_database()
    code = ctx.plie_codes[0]
    with CaptureQueriesContext(connection) as bilan:
        bilan_annuel(code, annee_du_bilan(code))
    floors.bilan_floor(ctx)  # the PLIE's id looked up once
    with django_assert_num_queries(len(floor_bilan.requetes(1, 2016, demo.PINNED_DATE))) as floor:
        floors.bilan_floor(ctx)
    assert not {q["sql"] for q in floor.captured_queries} & {q["sql"] for q in bilan.captured_queries}


@pytest.mark.django_db
def test_densify_reaches_the_densities_on_a_tiny_dataset():
    require_postgres()
    from bench.densify import densify
    from parcours.models import Entretien, Etape, Parcours
    from plie.core.enums import Role

    demo.build_world(participants=40, plies=2, seed=1, today=demo.PINNED_DATE, stdout=io.StringIO())
    avant = Entretien.objects.count()
    reached = densify(entretiens=12, etapes=3, per_referent=5)
    assert Entretien.objects.count() > avant
    assert reached["entretiens_par_participant"] >= 10
    assert reached["etapes_par_participant"] >= 2.5
    assert reached["parcours_actifs_par_referent"][2] <= 5  # never more than asked
    # dealt out evenly in each PLIE: no small remainder left to one référent
    for plie_id in Parcours.objects.actifs().values_list("plie_id", flat=True).distinct():
        counts = list(
            Parcours.objects.actifs()
            .filter(plie_id=plie_id)
            .values("referent")
            .annotate(n=models.Count("pk"))
            .values_list("n", flat=True)
        )
        assert max(counts) - min(counts) <= 1, counts
    # the bench's référent (the first PLIE's demo référent) follows one of the groups
    plie_code = runner.BenchContext.from_database().plie_codes[0]
    assert (
        Parcours.objects.actifs().filter(referent__email=demo.demo_email(Role.REFERENT, plie_code)).exists()
    )
    # copies never start before the entry, an étape still ends after it starts
    assert not Entretien.objects.filter(date__lt=models.F("parcours__date_entree")).exists()
    assert not Etape.objects.filter(date_fin__lt=models.F("date_debut")).exists()


@pytest.mark.django_db(transaction=True)
def test_the_load_stage_on_a_live_server(live_server):
    # PostgreSQL only, like the bench: on the embedded SQLite the live server's threads and the
    # load's threads wait on the database file's lock until the stage's join never returns
    require_postgres()
    from bench.load import format_load, key_pages, run_load, session_cookies

    demo.build_world(participants=20, plies=1, seed=1, today=demo.PINNED_DATE, stdout=io.StringIO())
    ctx = runner.BenchContext.from_database()
    pages = key_pages(ctx)
    cookies = session_cookies(ctx, {persona for _, persona, _ in pages})
    load = run_load(live_server.url, pages, cookies, levels=(1, 2), seconds=0.5)
    assert set(load) == {"1", "2"}
    for level in load.values():
        assert level["total"]["requests"] >= 1 and level["total"]["errors"] == 0, level
        assert level["total"]["p50_ms"] <= level["total"]["p99_ms"]
    assert "ma_file_active" in format_load(load)


@pytest.mark.django_db
def test_context_needs_the_demo_accounts():
    with pytest.raises(RuntimeError, match="Aucun PLIE"):
        runner.BenchContext.from_database()


def test_cli_refuses_a_base_that_holds_no_dataset(capsys):
    """``--base`` measures a copy of a built dataset; a database without one is refused, not seeded."""
    require_postgres()
    from bench.__main__ import main

    assert main(["--base", "plie_bench_absente_de_ce_serveur"]) == 2
    assert "ne contient pas de jeu de données complet" in capsys.readouterr().err
