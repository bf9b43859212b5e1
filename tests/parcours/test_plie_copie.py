"""The parcours' PLIE copied on its entretiens and étapes (``parcours.models.ParcoursChild``):
filled from the parcours by ``save()``, by ``bulk_create`` (one query for all the parcours) and,
for the rows of before, by the migration's backfill."""

import datetime

import pytest

from parcours.models import Entretien, Etape
from tests.migrer import migrer
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory, TypeEtapeFactory

D = datetime.date


def parcours_of(plie):
    return ParcoursFactory(plie=plie, participant__plie=plie, en_parcours=True)


def test_save_copies_the_plie_of_the_parcours(world):
    parcours = parcours_of(world.plie_b)
    entretien = EntretienFactory(parcours=parcours)
    etape = EtapeFactory(parcours=parcours)
    assert Entretien.objects.get(pk=entretien.pk).plie_id == world.plie_b.pk
    assert Etape.objects.get(pk=etape.pk).plie_id == world.plie_b.pk


def test_save_reads_the_parcours_when_only_its_id_is_known(world):
    parcours = parcours_of(world.plie_b)
    entretien = Entretien(parcours_id=parcours.pk, date=D(2026, 3, 10))
    entretien.save()
    assert Entretien.objects.get(pk=entretien.pk).plie_id == world.plie_b.pk


def test_the_services_record_the_plie(world):
    from parcours.services import suivi
    from plie.core.scoping import scope_for

    parcours = ParcoursFactory(
        plie=world.plie_a, participant__plie=world.plie_a, en_parcours=True, referent=world.referent_a
    )
    scope = scope_for(world.referent_a)
    entretien = suivi.entretien_record(scope=scope, parcours=parcours, date=D(2026, 3, 2), mode="individuel")
    etape = suivi.etape_add(
        scope=scope, parcours=parcours, type=TypeEtapeFactory(), date_debut=parcours.date_entree
    )
    assert Entretien.objects.get(pk=entretien.pk).plie_id == world.plie_a.pk
    assert Etape.objects.get(pk=etape.pk).plie_id == world.plie_a.pk


def test_bulk_create_reads_the_plie_of_all_the_parcours_in_one_query(world, django_assert_num_queries):
    a, b = parcours_of(world.plie_a), parcours_of(world.plie_b)
    entretiens = (Entretien(parcours_id=p.pk, date=D(2026, 3, day)) for day, p in enumerate([a, b, a], 1))
    with django_assert_num_queries(2):  # the parcours' PLIE (their ids in), the insert
        Entretien.objects.bulk_create(entretiens)  # a generator, as the demo's batches
    type_etape = TypeEtapeFactory()
    with django_assert_num_queries(2):
        Etape.objects.bulk_create(
            [Etape(parcours_id=p.pk, type=type_etape, date_debut=D(2026, 3, 1)) for p in [b, b]]
        )
    assert sorted(Entretien.objects.values_list("parcours_id", "plie_id")) == sorted(
        [(a.pk, world.plie_a.pk), (b.pk, world.plie_b.pk), (a.pk, world.plie_a.pk)]
    )
    assert list(Etape.objects.values_list("parcours_id", "plie_id")) == [(b.pk, world.plie_b.pk)] * 2


def test_bulk_create_uses_the_loaded_parcours_and_keeps_a_given_plie(world, django_assert_num_queries):
    a, b = parcours_of(world.plie_a), parcours_of(world.plie_b)
    with django_assert_num_queries(1):  # the insert: the parcours are loaded, b's row has its PLIE
        Entretien.objects.bulk_create(
            [
                Entretien(parcours=a, date=D(2026, 3, 1)),
                Entretien(parcours_id=b.pk, plie_id=world.plie_b.pk, date=D(2026, 3, 2)),
            ]
        )
    assert sorted(Entretien.objects.values_list("parcours_id", "plie_id")) == sorted(
        [(a.pk, world.plie_a.pk), (b.pk, world.plie_b.pk)]
    )


AVANT = [("parcours", "0010_entretien_index_couvrant_mode")]
APRES = [("parcours", "0013_entretien_etape_plie_index")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_each_parcours_plie_on_the_rows_of_before():
    from tests.factories import PlieFactory

    plie_a, plie_b = PlieFactory(code="plie-a"), PlieFactory(code="plie-b")
    a, b = parcours_of(plie_a), parcours_of(plie_b)
    type_etape = TypeEtapeFactory()
    apps = migrer(AVANT)
    for model, values in [
        ("Entretien", {"date": D(2026, 3, 1)}),
        ("Etape", {"type_id": type_etape.pk, "date_debut": D(2026, 3, 1)}),
    ]:
        Model = apps.get_model("parcours", model)
        for parcours in (a, b, b):
            Model.objects.create(parcours_id=parcours.pk, **values)
    migrer(APRES)
    expected = sorted([(a.pk, plie_a.pk), (b.pk, plie_b.pk), (b.pk, plie_b.pk)])
    assert sorted(Entretien.objects.values_list("parcours_id", "plie_id")) == expected
    assert sorted(Etape.objects.values_list("parcours_id", "plie_id")) == expected
