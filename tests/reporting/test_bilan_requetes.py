"""The bilan's faster queries (issue 17) give exactly the rows of the queries they replaced, on a
varied year built with the factories: parcours entering and leaving in the year, exits of every
category (validated or not), a suspended parcours, a candidate, participants without a situation
at entry or without QPV, birthdays on the entry day and on 29 February, étapes tied on their days
in the year, cancelled or outside the year."""

import pytest
from django.db import connection
from django.db.models import Count

from parcours.enums import CategorieEtape as E
from parcours.enums import CategorieSortie as C
from parcours.enums import ModeEntretien as M
from parcours.enums import StatutParcours
from reporting import flux
from reporting.selectors import Perimetre, avec_categories
from tests.factories import PlieFactory, UserFactory
from tests.parcours.factories import EntretienFactory, EtapeFactory, ParcoursFactory, TypeEtapeFactory
from tests.reporting.conftest import D, make_parcours

SITUATION = {
    "statut_emploi": "non",
    "recherche_emploi": True,
    "duree_recherche_mois": 14,
    "niveau_formation": "2b",
    "handicap_reconnu": False,
    "minima_sociaux": True,
    "beneficiaire_rsa": True,
}


def etape(parcours, categorie, debut, fin=None, **fields):
    return EtapeFactory(
        parcours=parcours,
        type=TypeEtapeFactory(code=f"req-{categorie}", categorie=categorie),
        date_debut=debut,
        date_fin=fin,
        **fields,
    )


@pytest.fixture
def annee(db):
    plie = PlieFactory(code="plie-requetes")
    autre = PlieFactory(code="plie-autre")
    marie, paul = UserFactory(first_name="Marie"), UserFactory(first_name="Paul")
    parcours = []
    # entries and exits of every category during 2016, validated or not, two référents
    for i, categorie in enumerate(C.values):
        for validee in (True, False):
            parcours.append(
                make_parcours(
                    plie,
                    D(2016, 1 + i, 3),
                    D(2016, 2 + i + i % 3, 20),
                    categorie,
                    validee=validee,
                    referent=marie if validee else paul,
                    sexe="F" if i % 2 else "M",
                    date_naissance=D(1990 - 5 * i, 1 + i, 3),  # 26 on the entry day for i = 0
                    qpv=(None, True, False)[i % 3],
                    situation=SITUATION if i % 3 else None,
                )
            )
    # entered before the year, exited during it; entered during it, still in parcours
    parcours.append(make_parcours(plie, D(2014, 5, 1), D(2016, 3, 31), C.EMPLOI_DURABLE, referent=marie))
    parcours.append(make_parcours(plie, D(2016, 3, 1), date_naissance=D(1992, 2, 29), situation=SITUATION))
    # in parcours all year (neither entered nor exited: not in the cube), suspended
    parcours.append(make_parcours(plie, D(2015, 6, 1), referent=paul, status=StatutParcours.SUSPENDU))
    parcours.append(
        make_parcours(plie, D(2015, 2, 1), referent=marie, situation={**SITUATION, "niveau_formation": ""})
    )
    # exited before the year, a candidate, another PLIE's parcours: counted nowhere
    ancien = make_parcours(plie, D(2014, 1, 1), D(2015, 12, 31), C.ABANDON)
    candidat = ParcoursFactory(participant__plie=plie)
    ailleurs = make_parcours(autre, D(2016, 2, 1), D(2016, 9, 1), C.QUALIFIANTE)
    for hors in (ancien, candidat, ailleurs):
        etape(hors, E.MOBILISATION, D(2016, 2, 1))
    # étapes: over before the year, cancelled, still running, ties on the days in the year (then
    # the latest start wins, then the latest created), started the last day of the year
    p = parcours
    etape(p[0], E.MOBILISATION, D(2015, 1, 1), D(2015, 12, 31))
    etape(p[0], E.SIAE, D(2016, 2, 1), D(2016, 3, 1), annulee=True)
    etape(p[0], E.FORMATION_QUALIFIANTE, D(2016, 1, 10), D(2016, 1, 20))
    etape(p[1], E.IMMERSION, D(2016, 2, 1), D(2016, 2, 11))
    etape(p[1], E.MOBILISATION, D(2016, 3, 1), D(2016, 3, 11))  # same days, later start: main
    etape(p[2], E.SIAE, D(2016, 5, 1), D(2016, 5, 11))
    etape(p[2], E.CONTRAT_AIDE, D(2016, 5, 1), D(2016, 5, 11))  # full tie: the latest created
    etape(p[3], E.EMPLOI_DURABLE, D(2016, 12, 31))
    etape(p[-4], E.EMPLOI_PARCOURS, D(2015, 11, 1))  # running all year
    etape(p[-3], E.EMPLOI_PARCOURS, D(2016, 4, 1), D(2017, 3, 1))
    etape(p[-2], E.FORMATION_QUALIFIANTE, D(2015, 1, 1), D(2016, 1, 1))  # one day in the year
    # entretiens: before entry, on the entry and exit days, after exit, several a month, every
    # mode, on the first and last days of months; a candidate's and another PLIE's
    modes = list(M.values)
    for n, un in enumerate(p):
        entree, sortie = un.date_entree, un.date_sortie
        for jour in (entree, entree - D.resolution, sortie, sortie and sortie + D.resolution):
            if jour is not None:
                EntretienFactory(parcours=un, date=jour, mode=modes[n % len(modes)])
        for mois in range(1, 13, 1 + n % 3):
            EntretienFactory(parcours=un, date=D(2016, mois, 1), mode=modes[(n + mois) % len(modes)])
            EntretienFactory(parcours=un, date=D(2016, mois, 28), mode=modes[mois % len(modes)])
    for hors in (candidat, ailleurs):
        EntretienFactory(parcours=hors, date=D(2016, 3, 3))
    return plie, marie, parcours


def perimetres(plie, marie, parcours):
    yield Perimetre(frozenset([plie.pk]))
    yield Perimetre(frozenset([plie.pk]), referent_id=marie.pk)
    yield Perimetre(frozenset([plie.pk]), prescripteur_id=parcours[0].prescripteur_id)


def _sans_ordre(rows):
    return sorted(rows, key=lambda row: sorted((k, str(v)) for k, v in row.items()))


@pytest.mark.parametrize(
    "periode", [flux.Periode.annee(2016), flux.Periode.mois(2016, 3), flux.Periode.annee(2015)]
)
def test_the_etapes_query_gives_the_two_orm_queries_rows(annee, periode):
    if connection.vendor != "postgresql":
        pytest.skip("la requête PostgreSQL ne tourne que sur PostgreSQL (le chemin ORM est testé partout)")
    for perimetre in perimetres(*annee):
        etapes, principale = flux.lignes_etapes_postgresql(perimetre, periode, connection)
        assert _sans_ordre(etapes) == _sans_ordre(flux.lignes_etapes(perimetre, periode))
        assert _sans_ordre(principale) == _sans_ordre(flux.lignes_etape_principale(perimetre, periode))
    assert etapes or periode != flux.Periode.annee(2016)  # the fixture's year has étapes


def _cube_par_jointure(perimetre, periode):
    """The cube as it was read before issue 17's second pass: the participant joined."""
    parcours = perimetre.parcours().filter(flux.entre_pendant(periode) | flux.sorti_pendant(periode))
    return list(
        avec_categories(parcours)
        .values(*flux.CATEGORIES_PUBLIQUES)
        .annotate(**flux.compteurs_par_valeur(periode))
        .order_by()
    )


@pytest.mark.parametrize("periode", [flux.Periode.annee(2016), flux.Periode.mois(2016, 6)])
def test_the_category_cube_gives_the_joined_querys_rows(annee, periode):
    for perimetre in perimetres(*annee):
        rows = flux.lignes_categories(perimetre, periode)
        assert _sans_ordre(rows) == _sans_ordre(_cube_par_jointure(perimetre, periode))
    if periode.debut.month == 1:
        assert len(rows) > 1
        assert {
            row["sexe"] for row in flux.lignes_categories(Perimetre(frozenset([annee[0].pk])), periode)
        } == {
            "F",
            "M",
        }


def test_every_public_category_case_travels_through_the_packing(annee):
    plie = annee[0]
    perimetre = Perimetre(frozenset([plie.pk]))
    periode = flux.Periode.annee(2016)
    rows = flux.lignes_categories(perimetre, periode)
    assert {row["qpv"] for row in rows} == {None, True, False}
    assert None not in {row["tranche_age"] for row in rows}
    assert len({row["tranche_age"] for row in rows}) > 1
    assert (
        sum(row["entrees"] for row in rows)
        == (perimetre.parcours().filter(flux.entre_pendant(periode)).aggregate(n=Count("pk"))["n"])
    )


@pytest.mark.parametrize(
    "periode",
    [
        flux.Periode.annee(2016),
        flux.Periode.mois(2016, 3),
        flux.Periode(D(2016, 3, 15), D(2016, 5, 10)),
        flux.Periode(D(2015, 12, 1), D(2016, 2, 29)),
    ],
)
def test_the_intensity_query_gives_the_orm_rows_rolled_up(annee, periode):
    if connection.vendor != "postgresql":
        pytest.skip("la requête PostgreSQL ne tourne que sur PostgreSQL (le chemin ORM est testé partout)")
    for perimetre in perimetres(*annee):
        orm = flux.intensite_depuis_lignes(periode, flux.lignes_entretiens_orm(perimetre, periode))
        assert flux.intensite_entretiens_postgresql(perimetre, periode, connection) == orm
        assert flux.intensite_entretiens(perimetre, periode) == orm
    assert orm[0] and any(orm[1].values())  # the fixture has entretiens in every period
