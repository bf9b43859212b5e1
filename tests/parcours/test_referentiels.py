"""The default referentials (parcours/referentiels.py), the signal giving them to every new PLIE,
the data migration and the admin's French check of the rules."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from parcours.admin import TypeSortieForm
from parcours.enums import CategorieEtape, CategorieSortie
from parcours.models import TypeEtape, TypeSortie
from parcours.referentiels import TYPES_ETAPE, TYPES_SORTIE, create_default_referentiels
from parcours.sorties import criteres_errors
from plie.core.enums import StructureKind
from plie.core.models import Structure
from tests.factories import PlieFactory, StructureFactory, UserFactory

CODES = [
    "CDI",
    "CDD_6M",
    "INTERIM_6M",
    "CONTRATS_SUCCESSIFS",
    "CREATION_ENTREPRISE",
    "FORMATION_QUALIFIANTE",
    "CONTRAT_AIDE",
    "CDD_ETTI",
    "AUTRE_POSITIVE",
    "ABANDON",
    "NON_RESPECT_CONTRAT",
    "DEMENAGEMENT",
    "DECES",
    "RETRAITE",
    "INCARCERATION",
    "MATERNITE",
    "REORIENTATION",
    "SANTE",
    "AUTRE",
]


def test_the_default_table_is_well_formed():
    assert [row[0] for row in TYPES_SORTIE] == CODES
    for code, _libelle, _categorie, criteres, _commission in TYPES_SORTIE:
        assert criteres_errors(criteres) == [], code
    assert {row[2] for row in TYPES_ETAPE} == set(
        CategorieEtape.values
    )  # one step type per category at least
    assert len({row[0] for row in TYPES_ETAPE}) == len(TYPES_ETAPE)


def test_a_new_plie_gets_the_default_referential(db):
    plie = PlieFactory()
    rows = {t.code: t for t in TypeSortie.objects.filter(plie=plie)}
    assert list(TypeSortie.objects.filter(plie=plie).values_list("code", flat=True)) == CODES  # by ordre
    # the strictest common reading of the seed PLIE tables (004, lines in parcours/referentiels.py)
    assert rows["CDI"].criteres == [{"type": "duree_emploi", "mois": 6, "meme_employeur": True}]
    assert rows["CDD_6M"].criteres == [{"type": "duree_emploi", "mois": 6, "meme_employeur": True}]
    assert rows["INTERIM_6M"].criteres == [
        {"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True},
        {"type": "duree_emploi", "mois": 6, "meme_employeur": True},
    ]
    assert rows["CONTRATS_SUCCESSIFS"].criteres == [
        {"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12}
    ]
    assert rows["CREATION_ENTREPRISE"].criteres == [{"type": "apres_debut", "mois": 6}]
    assert rows["FORMATION_QUALIFIANTE"].categorie == CategorieSortie.QUALIFIANTE
    assert rows["FORMATION_QUALIFIANTE"].criteres == [{"type": "fin_formation", "mois_max": 6}]
    for code in ("CONTRAT_AIDE", "CDD_ETTI", "AUTRE_POSITIVE"):
        assert rows[code].categorie == CategorieSortie.POSITIVE_AUTRE
        assert rows[code].commission_requise is True
    assert rows["CONTRAT_AIDE"].criteres == [
        {"type": "duree_emploi", "mois": 12, "meme_employeur": True, "heures_hebdo_min": 20}
    ]
    assert rows["CDD_ETTI"].criteres == [
        {"type": "semaines_fenetre", "semaines": 39, "fenetre_mois": 12, "meme_employeur": True}
    ]
    assert rows["AUTRE_POSITIVE"].criteres == [{"type": "duree_emploi", "mois": 12}]
    # abandons are the departures of one's own accord (001 l.518-519): non-respect is « autre »
    assert {code for code, t in rows.items() if t.categorie == CategorieSortie.ABANDON} == {"ABANDON"}
    assert rows["NON_RESPECT_CONTRAT"].categorie == CategorieSortie.AUTRE
    assert rows["CREATION_ENTREPRISE"].categorie == CategorieSortie.CREATION_ENTREPRISE
    assert {code for code, t in rows.items() if t.categorie == CategorieSortie.NEUTRALISEE} == {
        "DEMENAGEMENT",
        "DECES",
        "RETRAITE",
        "INCARCERATION",
        "MATERNITE",
    }
    assert rows["INCARCERATION"].libelle == "Incarcération de plus de 3 mois"
    for code in ("ABANDON", "DEMENAGEMENT", "REORIENTATION", "SANTE", "AUTRE"):
        assert rows[code].criteres == [] and rows[code].commission_requise is False  # validated at once
    assert rows["CDI"].history.get().history_change_reason == "Référentiel par défaut"
    libelles = set(TypeEtape.objects.filter(plie__isnull=True).values_list("libelle", flat=True))
    assert {
        "Atelier de mobilisation",
        "Médiation à l'emploi (IOD)",
        "Immersion PMSMP",
        "Mission en ETTI",
    } <= libelles


def test_it_is_idempotent_and_keeps_what_the_plie_changed(db, django_assert_num_queries):
    plie = PlieFactory()
    cdi = TypeSortie.objects.get(plie=plie, code="CDI")
    cdi.libelle = "CDI (6 mois)"
    cdi.save()
    TypeSortie.objects.filter(plie=plie, code="SANTE").delete()
    assert create_default_referentiels(plie) == 1  # SANTE only
    with django_assert_num_queries(4):
        # SAVEPOINT, the PLIE's exit codes, the global step codes, RELEASE SAVEPOINT
        assert create_default_referentiels(plie) == 0
    assert TypeSortie.objects.filter(plie=plie).count() == len(CODES)
    assert TypeSortie.objects.get(plie=plie, code="CDI").libelle == "CDI (6 mois)"
    assert TypeEtape.objects.filter(plie__isnull=True).count() == len(TYPES_ETAPE)


def test_other_structures_and_updates_get_nothing(db):
    StructureFactory(kind=StructureKind.OPERATEUR)
    assert not TypeSortie.objects.exists()
    plie = PlieFactory()
    TypeSortie.objects.filter(plie=plie).delete()
    plie.nom = "PLIE renommé"
    plie.save()
    assert not TypeSortie.objects.filter(plie=plie).exists()


def test_each_plie_has_its_own_referential(db):
    plie_a, plie_b = PlieFactory(), PlieFactory()
    assert (
        TypeSortie.objects.filter(plie=plie_a).count() == TypeSortie.objects.filter(plie=plie_b).count() == 19
    )
    assert TypeEtape.objects.filter(plie__isnull=True).count() == len(TYPES_ETAPE)  # shared, created once


def test_the_data_migration_fills_existing_plie(db):
    plie = PlieFactory()
    TypeSortie.objects.filter(plie=plie).delete()
    TypeEtape.objects.all().delete()
    migration = importlib.import_module("parcours.migrations.0002_default_referentiels")
    migration.create_defaults(django_apps, None)
    migration.create_defaults(django_apps, None)  # safe to run twice
    assert TypeSortie.objects.filter(plie=plie).count() == len(CODES)
    assert TypeEtape.objects.filter(plie__isnull=True).count() == len(TYPES_ETAPE)


@pytest.mark.parametrize(
    ("criteres", "error"),
    [
        ('[{"type": "duree_emploi", "mois": 6}]', None),
        ("[]", None),
        (
            '[{"type": "duree_emploi", "mois": -6}]',
            "Critère n° 1 (durée d'emploi sans interruption) : « Durée (mois) » doit être strictement "
            "positif.",
        ),
        ('[{"type": "anciennete"}]', "Critère n° 1 : type de critère « anciennete » inconnu"),
        ('{"type": "duree_emploi", "mois": 6}', "Les critères de validation sont une liste"),
    ],
)
def test_the_admin_form_checks_the_rule_in_french(db, criteres, error):
    plie = PlieFactory()
    form = TypeSortieForm(
        data={
            "plie": plie.pk,
            "code": "NOUVEAU",
            "libelle": "Nouveau type",
            "categorie": CategorieSortie.EMPLOI_DURABLE,
            "criteres": criteres,
            "ordre": 0,
        }
    )
    if error is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert any(message.startswith(error) for message in form.errors["criteres"])


def test_admin_pages_render(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    plie = PlieFactory()
    type_sortie = TypeSortie.objects.get(plie=plie, code="INTERIM_6M")
    for url in (
        reverse("admin:parcours_typesortie_changelist"),
        reverse("admin:parcours_typesortie_change", args=[type_sortie.pk]),
        reverse("admin:parcours_typeetape_changelist"),
        reverse("admin:parcours_commission_changelist"),
        reverse("admin:parcours_parcours_changelist"),
        reverse("admin:parcours_parametresplie_changelist"),
        reverse("admin:parcours_alerte_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.get(reverse("admin:parcours_typesortie_changelist"))
    assert "900 h sur les 9 derniers mois chez le même employeur" in response.content.decode()
    assert Structure.objects.plies().count() == 1


def test_the_admin_rejects_a_bad_rule_and_keeps_parcours_read_only(client, db):
    from tests.parcours.factories import ParcoursFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    plie = PlieFactory()
    cdi = TypeSortie.objects.get(plie=plie, code="CDI")
    response = client.post(
        reverse("admin:parcours_typesortie_change", args=[cdi.pk]),
        {
            "plie": plie.pk,
            "code": "CDI",
            "libelle": "CDI",
            "categorie": CategorieSortie.EMPLOI_DURABLE,
            "criteres": '[{"type": "duree_emploi", "mois": "six"}]',
            "ordre": 10,
        },
    )
    assert response.status_code == 200
    assert "« Durée (mois) » doit être un nombre entier de mois." in response.content.decode()
    cdi.refresh_from_db()
    assert cdi.criteres == [{"type": "duree_emploi", "mois": 6, "meme_employeur": True}]  # nothing saved

    parcours = ParcoursFactory(participant__plie=plie, en_parcours=True)
    parcours.projet = "Cariste"
    parcours.save()
    version = parcours.history.order_by("history_id").first()
    assert client.get(reverse("admin:parcours_parcours_change", args=[parcours.pk])).status_code == 200
    assert client.get(reverse("admin:parcours_parcours_history", args=[parcours.pk])).status_code == 200
    revert = reverse("admin:parcours_parcours_simple_history", args=[parcours.pk, version.history_id])
    assert client.post(revert, {}).status_code == 403
    parcours.refresh_from_db()
    assert parcours.projet == "Cariste"


# --- the Département's nomenclature, a setting of each exit type ------------------------------


def test_new_plie_get_the_departement_class_of_each_default_exit_type(db):
    plie = PlieFactory()
    classes = dict(TypeSortie.objects.filter(plie=plie).values_list("code", "categorie_departement"))
    durables = {"CDI", "CDD_6M", "INTERIM_6M", "CONTRATS_SUCCESSIFS", "CREATION_ENTREPRISE"}
    positives = {"FORMATION_QUALIFIANTE", "CONTRAT_AIDE", "CDD_ETTI", "AUTRE_POSITIVE"}
    assert {code for code, classe in classes.items() if classe == "emploi_durable"} == durables
    assert {code for code, classe in classes.items() if classe == "positive"} == positives
    assert {code for code, classe in classes.items() if classe == ""} == set(CODES) - durables - positives


@pytest.mark.parametrize(
    ("code", "categorie", "classe"),
    [
        ("CDI", CategorieSortie.EMPLOI_DURABLE, "emploi_durable"),
        ("FORMATION_QUALIFIANTE", CategorieSortie.QUALIFIANTE, "positive"),
        ("CONTRAT_AIDE", CategorieSortie.POSITIVE_AUTRE, "positive"),
        ("CDD_COURT", CategorieSortie.POSITIVE_AUTRE, "emploi_transition"),
        ("INTERIM_COURT", CategorieSortie.AUTRE, "emploi_transition"),
        ("DEMENAGEMENT", CategorieSortie.NEUTRALISEE, ""),
        ("ABANDON", CategorieSortie.ABANDON, ""),
        ("AUTRE", CategorieSortie.AUTRE, ""),
    ],
)
def test_the_departement_class_data_migration(db, code, categorie, classe):
    plie = PlieFactory()
    TypeSortie.objects.filter(plie=plie).delete()
    type_sortie = TypeSortie.objects.create(plie=plie, code=code, libelle=code, categorie=categorie)
    assert type_sortie.categorie_departement == ""  # the field's default, before the migration
    migration = importlib.import_module("parcours.migrations.0004_typesortie_categorie_departement")
    migration.set_categorie_departement(django_apps, None)
    type_sortie.refresh_from_db()
    assert type_sortie.categorie_departement == classe


def test_the_seed_reading_data_migration_updates_untouched_defaults_only(db):
    """Migration 0005: rows still holding the previous default get the seed reading, a rule the
    PLIE changed stays, the new « CDD en ETTI » type is added once."""
    plie = PlieFactory()
    rows = TypeSortie.objects.filter(plie=plie)
    rows.filter(code="CDD_ETTI").delete()
    old_interim = [
        {"type": "heures_fenetre", "heures": 900, "fenetre_mois": 9, "meme_employeur": True},
        {"type": "duree_emploi", "mois": 6},
    ]
    rows.filter(code="INTERIM_6M").update(
        criteres=old_interim,
        libelle="Intérim (900 h dans la même agence sur 9 mois ou 6 mois sans interruption)",
    )
    rows.filter(code="CDI").update(criteres=[{"type": "duree_emploi", "mois": 4}], libelle="CDI maison")
    migration = importlib.import_module("parcours.migrations.0005_default_rules_seed_reading")
    migration.forwards(django_apps, None)
    migration.forwards(django_apps, None)  # safe to run twice
    interim = rows.get(code="INTERIM_6M")
    assert interim.criteres[1] == {"type": "duree_emploi", "mois": 6, "meme_employeur": True}
    assert interim.libelle.startswith("Intérim (900 h dans la même agence sur les 9 derniers mois")
    assert rows.get(code="CDI").criteres == [{"type": "duree_emploi", "mois": 4}]  # the PLIE's own rule
    assert rows.filter(code="CDD_ETTI").count() == 1
    assert rows.get(code="CDD_ETTI").ordre == rows.get(code="CONTRAT_AIDE").ordre + 5
