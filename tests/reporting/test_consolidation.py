"""The overnight consolidation: one snapshot per (PLIE, day), equal to the bilan's figures,
idempotent, partitioned per PLIE, resumable after a worker killed mid-way."""

import datetime

import pytest
from django.db import transaction

from parcours.enums import CategorieSortie as C
from parcours.enums import TypeAlerte
from parcours.models import Alerte
from plie.celery import app
from plie.core.enums import RunOutcome
from plie.core.models import TaskRun
from reporting import services
from reporting.bilan import bilan_periode
from reporting.flux import Periode
from reporting.models import SnapshotPlie
from reporting.selectors import Perimetre
from reporting.services import snapshot_refresh
from reporting.tasks import CONSOLIDATION_TASK, consolidate_plie, nightly_consolidation
from tests.factories import PlieFactory
from tests.reporting.conftest import D, make_parcours

JOUR = D(2016, 9, 30)
FIGURES = (
    "en_parcours",
    "entrees_annee",
    "sorties_annee",
    "sorties_positives_annee",
    "abandons_annee",
    "neutralisees_annee",
    "indicateurs",
)

# Queries of one snapshot: compter of the year to date (1) and of the previous year (1), alerts by
# type (1), participants without a situation (1), the operations' completeness (1), the 12-month
# trends (1), then the upsert (one INSERT … ON CONFLICT DO UPDATE), whether the row exists or not.
SNAPSHOT_QUERIES = 7
# One consolidate_plie: task_run_record's start (SAVEPOINT, SELECT … FOR UPDATE, SAVEPOINT,
# INSERT, RELEASE on the first run, UPDATE, RELEASE), the snapshot, the PLIE's closures (none
# here: one query), the final UPDATE.
TASK_QUERIES = 7 + SNAPSHOT_QUERIES + 1 + 1


def figures(snapshot):
    return {name: getattr(snapshot, name) for name in FIGURES}


@pytest.fixture
def plie_a(db):
    """One PLIE's 2016, counted by hand on 30/09/2016 (year to date: 01/01 → 30/09)."""
    plie = PlieFactory(code="plie-a")
    stock = make_parcours(plie, D(2015, 3, 1), situation={})  # in parcours all along
    make_parcours(plie, D(2015, 6, 1), D(2016, 6, 30), C.ABANDON)
    long_ = make_parcours(plie, D(2016, 2, 1), D(2016, 8, 1), C.EMPLOI_DURABLE)
    make_parcours(plie, D(2016, 3, 1), D(2016, 9, 1), C.NEUTRALISEE)
    make_parcours(plie, D(2016, 4, 1), D(2016, 9, 30), C.QUALIFIANTE)  # exits on the day itself
    make_parcours(plie, D(2016, 1, 10), D(2016, 7, 1), C.EMPLOI_DURABLE, validee=False)  # not positive
    make_parcours(plie, D(2016, 5, 1), D(2016, 10, 15), C.ABANDON)  # exits after the day
    make_parcours(plie, D(2016, 9, 30))  # enters on the day itself
    make_parcours(plie, D(2016, 10, 1))  # after the day: nowhere
    for parcours, type_ in ((stock, TypeAlerte.SANS_CONTACT), (long_, TypeAlerte.SANS_CONTACT)):
        Alerte.objects.create(plie=plie, parcours=parcours, type=type_, computed_on=JOUR)
    Alerte.objects.create(plie=plie, parcours=stock, type=TypeAlerte.PARCOURS_LONG, computed_on=JOUR)
    return plie


@pytest.fixture
def plie_b(db):
    """Another PLIE with one parcours entered in 2016 and one alert of its own."""
    plie = PlieFactory(code="plie-b")
    parcours = make_parcours(plie, D(2016, 1, 4), situation={})
    Alerte.objects.create(plie=plie, parcours=parcours, type=TypeAlerte.RDV_PASSE, computed_on=JOUR)
    return plie


def test_snapshot_figures_counted_by_hand(plie_a):
    snapshot = snapshot_refresh(plie_id=plie_a.id, jour=JOUR)
    # stock on 31/12/2015: 2; entries: 6 (2/1, 1/3, 1/4, 1/5, 10/1, 30/9); exits: 5 (abandon 30/6,
    # CDI 1/8, déménagement 1/9, qualifiante 30/9, unvalidated CDI 1/7), 2 positive.
    assert (
        snapshot.en_parcours,
        snapshot.entrees_annee,
        snapshot.sorties_annee,
        snapshot.sorties_positives_annee,
        snapshot.abandons_annee,
        snapshot.neutralisees_annee,
    ) == (2 + 6 - 5, 6, 5, 2, 1, 1)
    assert snapshot.indicateurs["taux"] == {
        "sorties_positives_sur_sorties": 2 / 5,
        "sorties_positives_hors_neutralisees": 2 / 4,
        "sorties_positives_hors_neutralisees_plie": 2 / 4,
        "sorties_positives_sur_entrees": 2 / 6,
        "abandons_sur_sorties": 1 / 5,
    }
    alertes = dict.fromkeys(TypeAlerte.values, 0) | {"sans_contact": 2, "parcours_long": 1}
    assert snapshot.indicateurs["alertes"] == alertes
    # in parcours on 30/09: the stock (has its questionnaire), 1/5 and 30/9 (none)
    assert snapshot.indicateurs["completude"] == {"sans_situation_entree": 2}


def test_snapshot_equals_the_bilan_of_the_same_period(plie_a):
    snapshot = snapshot_refresh(plie_id=plie_a.id, jour=JOUR)
    bilan = bilan_periode(Perimetre(frozenset({plie_a.id})), Periode(D(2016, 1, 1), JOUR))
    flux = bilan["flux"]
    assert snapshot.indicateurs["flux"] == flux
    assert snapshot.indicateurs["taux"] == bilan["taux"]
    assert snapshot.en_parcours == flux["en_parcours_fin"]
    assert snapshot.entrees_annee == flux["entrees"]
    assert snapshot.sorties_annee == flux["sorties_positives"]["total"] + flux["sorties_sans_suite"]["total"]
    assert snapshot.sorties_positives_annee == flux["sorties_positives"]["total"]
    assert snapshot.abandons_annee == flux["sorties_sans_suite"]["abandons"]
    assert snapshot.neutralisees_annee == flux["sorties_sans_suite"]["neutralisees"]


def test_a_snapshot_on_1_january_counts_that_day_only(plie_a):
    snapshot = snapshot_refresh(plie_id=plie_a.id, jour=D(2016, 1, 1))
    assert (snapshot.en_parcours, snapshot.entrees_annee, snapshot.sorties_annee) == (2, 0, 0)
    assert snapshot.indicateurs["taux"]["sorties_positives_sur_sorties"] is None


def test_running_twice_gives_the_same_rows(plie_a, plie_b):
    assert nightly_consolidation(JOUR.isoformat()) == 2
    first = {s.plie_id: figures(s) for s in SnapshotPlie.objects.all()}
    assert nightly_consolidation(JOUR.isoformat(), tout=True) == 2
    consolidate_plie(plie_a.id, JOUR.isoformat())
    assert SnapshotPlie.objects.count() == 2
    assert {s.plie_id: figures(s) for s in SnapshotPlie.objects.all()} == first
    runs = TaskRun.objects.filter(task=CONSOLIDATION_TASK)
    assert dict(runs.values_list("plie__code", "attempts")) == {"plie-a": 3, "plie-b": 2}
    assert set(runs.values_list("outcome", flat=True)) == {RunOutcome.SUCCESS}
    # another day is another row
    consolidate_plie(plie_a.id, "2016-10-01")
    assert SnapshotPlie.objects.filter(plie=plie_a).count() == 2


def test_plie_b_never_contains_plie_a_data(plie_a, plie_b):
    nightly_consolidation(JOUR.isoformat())
    snapshot = SnapshotPlie.objects.get(plie=plie_b, jour=JOUR)
    assert (snapshot.en_parcours, snapshot.entrees_annee, snapshot.sorties_annee) == (1, 1, 0)
    assert {k: v for k, v in snapshot.indicateurs["alertes"].items() if v} == {"rdv_passe": 1}
    assert snapshot.indicateurs["completude"] == {"sans_situation_entree": 0}
    assert SnapshotPlie.objects.get(plie=plie_a, jour=JOUR).indicateurs["alertes"]["rdv_passe"] == 0


def test_query_count_per_plie_is_fixed(plie_a, plie_b, django_assert_num_queries):
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot_refresh(plie_id=plie_b.id, jour=JOUR)
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot_refresh(plie_id=plie_a.id, jour=JOUR)  # more data, same queries
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        snapshot_refresh(plie_id=plie_a.id, jour=JOUR)  # the row exists: same queries
    with django_assert_num_queries(TASK_QUERIES):
        consolidate_plie(plie_a.id, "2016-10-01")


class WorkerKilled(Exception):
    pass


def test_a_night_killed_mid_way_is_completed_by_the_next_run(plie_a, plie_b, monkeypatch):
    plie_c = PlieFactory(code="plie-c")
    real = services.snapshot_refresh
    calls = []

    def killed_after_the_first_plie(*, plie_id, jour):
        calls.append(plie_id)
        if len(calls) == 1:
            return real(plie_id=plie_id, jour=jour)
        with transaction.atomic():  # dies in the middle of the second PLIE's transaction
            real(plie_id=plie_id, jour=jour)
            raise WorkerKilled("worker lost")

    monkeypatch.setattr(services, "snapshot_refresh", killed_after_the_first_plie)
    with pytest.raises(WorkerKilled):
        nightly_consolidation(JOUR.isoformat())
    assert list(SnapshotPlie.objects.values_list("plie_id", flat=True)) == [plie_a.id]
    runs = TaskRun.objects.filter(task=CONSOLIDATION_TASK)
    assert dict(runs.values_list("plie__code", "outcome")) == {
        "plie-a": RunOutcome.SUCCESS,
        "plie-b": RunOutcome.FAILURE,
    }
    assert runs.get(plie=plie_b).error == "WorkerKilled: worker lost"

    monkeypatch.undo()
    assert nightly_consolidation(JOUR.isoformat()) == 2  # the failed PLIE and the one never reached
    assert set(SnapshotPlie.objects.filter(jour=JOUR).values_list("plie__code", flat=True)) == {
        "plie-a",
        "plie-b",
        "plie-c",
    }
    assert set(runs.values_list("outcome", flat=True)) == {RunOutcome.SUCCESS}
    assert dict(runs.values_list("plie__code", "attempts")) == {"plie-a": 1, "plie-b": 2, "plie-c": 1}
    assert snapshot_figures_equal(plie_b)
    assert nightly_consolidation(JOUR.isoformat()) == 0  # nothing left to do
    assert plie_c.snapshots.get().entrees_annee == 0


def snapshot_figures_equal(plie):
    """The snapshot left by the resumed night equals a fresh computation."""
    stored = figures(SnapshotPlie.objects.get(plie=plie, jour=JOUR))
    return stored == figures(snapshot_refresh(plie_id=plie.id, jour=JOUR))


def test_a_run_left_running_by_a_killed_worker_is_redone(plie_a):
    TaskRun.objects.create(
        task=CONSOLIDATION_TASK,
        plie=plie_a,
        run_date=JOUR,
        started_at=datetime.datetime(2016, 10, 1, 3, tzinfo=datetime.UTC),
        outcome=RunOutcome.RUNNING,
        attempts=1,
    )
    assert nightly_consolidation(JOUR.isoformat()) == 1
    run = TaskRun.objects.get(task=CONSOLIDATION_TASK)
    assert (run.outcome, run.attempts, run.rows) == (RunOutcome.SUCCESS, 2, 1)
    assert SnapshotPlie.objects.filter(plie=plie_a, jour=JOUR).exists()


def test_beat_schedules_the_nightly_consolidation():
    entry = app.conf.beat_schedule["consolidation-nocturne"]
    assert entry["task"] == nightly_consolidation.name
    assert entry["task"] in app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {0})
