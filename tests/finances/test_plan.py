"""The plan de financement with the database: staff cost from salaries × validated hours,
partial months, flat rate, resources never above expenses; the salaries CSV import."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from finances import plan, services
from finances.enums import CategorieDepense, Financeur, ModeAffectation, Nature, StatutFiche
from finances.models import Ressource, Salaire
from plie.core.scoping import scope_for
from tests.finances.factories import (
    AffectationFactory,
    FicheTempsFactory,
    LigneTempsFactory,
    PersonnelFactory,
)
from tests.operations.factories import OperationFactory

D = datetime.date
H = Decimal


@pytest.fixture
def operation(world):
    return OperationFactory(plie=world.plie_a, code="ACC-1")


def fiche(personnel, semaine, statut, heures):
    """A sheet of ``semaine`` with ``heures`` = {day: hours on ``operation``}."""
    sheet = FicheTempsFactory(personnel=personnel, semaine=semaine, statut=statut)
    for (jour, operation), value in heures.items():
        LigneTempsFactory(fiche=sheet, jour=jour, operation=operation, heures=value)
    return sheet


def test_staff_cost_from_validated_hours_split_across_months(world, operation):
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    AffectationFactory(personnel=personnel, operation=operation)
    Salaire.objects.create(
        personnel=personnel,
        mois=D(2026, 3, 1),
        brut=H("2300"),
        charges=H("700"),
        heures_travaillees=H("151.67"),
    )
    # arrived on 16 February: half a month paid
    Salaire.objects.create(
        personnel=personnel,
        mois=D(2026, 2, 1),
        brut=H("1150"),
        charges=H("350"),
        heures_travaillees=H("75.83"),
    )
    # the week of 23 February straddles February and March: split by day
    fiche(
        personnel,
        D(2026, 2, 23),
        StatutFiche.VALIDEE,
        {(D(2026, 2, 27), operation): H("5"), (D(2026, 3, 2), operation): H("7")},
    )
    fiche(
        personnel,
        D(2026, 3, 9),
        StatutFiche.VALIDEE,
        {(D(2026, 3, 10), operation): H("6"), (D(2026, 3, 10), None): H("1")},
    )
    fiche(
        personnel, D(2026, 3, 16), StatutFiche.SIGNEE, {(D(2026, 3, 17), operation): H("7")}
    )  # not validated: not counted
    lignes = plan.couts_personnel(operation, D(2026, 2, 1), D(2026, 3, 31))
    assert [(ligne.mois, ligne.heures_tracees, ligne.montant) for ligne in lignes] == [
        (D(2026, 2, 1), H("5.00"), H("98.91")),  # 1 500 × 5 / 75,83 = 98.9054…
        (D(2026, 3, 1), H("13.00"), H("257.14")),  # 3 000 × 13 / 151,67 = 257.1372…
    ]
    p = plan.plan(operation, D(2026, 2, 1), D(2026, 3, 31))
    assert p.depenses[(CategorieDepense.PERSONNEL, Nature.REALISE)] == H("356.05")
    assert p.depenses[(CategorieDepense.INDIRECTES, Nature.REALISE)] == H("53.41")  # 15 % of 356.05 = 53.4075


def test_fixed_percentage_and_full_time_by_calendar_days(world, operation):
    a = PersonnelFactory(plie=world.plie_a, user=world.animateur_a)
    AffectationFactory(
        personnel=a,
        operation=operation,
        mode=ModeAffectation.POURCENTAGE,
        pourcentage=H("40"),
        date_debut=D(2026, 3, 16),
    )
    Salaire.objects.create(
        personnel=a, mois=D(2026, 3, 1), brut=H("2000"), charges=H("1000"), heures_travaillees=H("151.67")
    )
    lignes = plan.couts_personnel(operation, D(2026, 3, 1), D(2026, 3, 31))
    assert [ligne.montant for ligne in lignes] == [H("619.35")]  # 3 000 × 40 % × 16/31


def test_resources_above_expenses_are_refused(world, operation):
    scope = scope_for(world.gestionnaire_a)
    services.depense_add(
        scope=scope,
        operation=operation,
        categorie=CategorieDepense.PERSONNEL,
        nature=Nature.PREVU,
        libelle="Référents",
        montant=H("100000"),
    )
    # forecast expenses: 100 000 + 15 % flat rate = 115 000
    services.ressource_add(
        scope=scope, operation=operation, financeur=Financeur.FSE, nature=Nature.PREVU, montant=H("69000")
    )
    with pytest.raises(ValidationError) as error:
        services.ressource_add(
            scope=scope,
            operation=operation,
            financeur=Financeur.DEPARTEMENT,
            nature=Nature.PREVU,
            montant=H("46000.01"),
        )
    assert error.value.message_dict["montant"] == [
        "Ressources prévues : 115\u00a0000,01\u00a0€ dépassent les dépenses prévues "
        "(115\u00a0000,00\u00a0€) ; "
        "une opération ne dégage pas d'excédent."
    ]
    assert Ressource.objects.count() == 1
    services.ressource_add(
        scope=scope,
        operation=operation,
        financeur=Financeur.DEPARTEMENT,
        nature=Nature.PREVU,
        montant=H("46000"),
    )
    p = plan.plan(operation)
    assert p.taux_fse(Nature.PREVU) == H("60.00")
    with pytest.raises(PermissionDenied):
        services.ressource_add(
            scope=scope_for(world.direction_a),
            operation=operation,
            financeur=Financeur.FSE,
            nature=Nature.PREVU,
            montant=H("1"),
        )


CSV_OK = (
    "email;mois;brut;charges;heures_travaillees\n"
    "referent.a@exemple.fr;03/2026;2 300,00;700,50;151,67\n"
    "animation.a@exemple.fr;2026-03;2000;900;151.67\n"
)


def test_salaries_csv_import(world):
    PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    PersonnelFactory(plie=world.plie_a, user=world.animateur_a)
    assert (
        services.salaires_import(scope=scope_for(world.gestionnaire_a), plie_id=world.plie_a.pk, texte=CSV_OK)
        == 2
    )
    salaire = Salaire.objects.get(personnel__user=world.referent_a)
    assert (salaire.mois, salaire.brut, salaire.charges, salaire.total) == (
        D(2026, 3, 1),
        H("2300.00"),
        H("700.50"),
        H("3000.50"),
    )


def test_a_bad_salaries_csv_is_refused_whole(world):
    PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    texte = (
        "email;mois;brut;charges;heures_travaillees\n"
        "referent.a@exemple.fr;03/2026;2300;700;151,67\n"
        "inconnu@exemple.fr;13/2026;23a0;-5;151,67\n"
    )
    with pytest.raises(ValidationError) as error:
        services.salaires_import(scope=scope_for(world.gestionnaire_a), plie_id=world.plie_a.pk, texte=texte)
    assert error.value.messages == [
        "Ligne 3, champ « email » : « inconnu@exemple.fr » n'est pas au personnel de ce PLIE.",
        "Ligne 3, champ « mois » : « 13/2026 » n'est pas un mois (MM/AAAA).",
        "Ligne 3, champ « brut » : « 23a0 » refusé "
        "(un montant positif avec deux décimales au plus est attendu.)",
        "Ligne 3, champ « charges » : « -5 » refusé "
        "(un montant positif avec deux décimales au plus est attendu.)",
    ]
    assert not Salaire.objects.exists()  # line 2 was fine, but nothing is saved
    with pytest.raises(ValidationError, match="colonne\\(s\\) manquante\\(s\\) : heures_travaillees"):
        services.salaires_import(
            scope=scope_for(world.gestionnaire_a), plie_id=world.plie_a.pk, texte="email;mois;brut;charges\n"
        )


def test_another_plie_cannot_import_nor_see_salaries(world):
    PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    services.salaires_import(
        scope=scope_for(world.gestionnaire_a),
        plie_id=world.plie_a.pk,
        texte=CSV_OK.splitlines()[0] + "\n" + CSV_OK.splitlines()[1],
    )
    with pytest.raises(PermissionDenied):
        services.salaires_import(scope=scope_for(world.referent_b), plie_id=world.plie_a.pk, texte=CSV_OK)
    for persona, seen in [
        ("gestionnaire_a", 1),
        ("direction_a", 1),
        ("referent_a", 0),
        ("referent_b", 0),
        ("financeur", 0),
    ]:
        assert Salaire.objects.visible_to(scope_for(getattr(world, persona))).count() == seen, persona


def test_the_oi_consolidates_its_plies_by_funder(client, world, django_assert_num_queries):
    scope = scope_for(world.gestionnaire_a)
    op_a = OperationFactory(plie=world.plie_a)
    services.depense_add(
        scope=scope,
        operation=op_a,
        categorie=CategorieDepense.FONCTIONNEMENT,
        nature=Nature.PREVU,
        libelle="Locaux",
        montant=H("1000"),
    )
    services.ressource_add(
        scope=scope, operation=op_a, financeur=Financeur.FSE, nature=Nature.PREVU, montant=H("600")
    )
    op_b = OperationFactory(plie=world.plie_b)
    Ressource.objects.create(
        operation=op_b, financeur=Financeur.FSE, nature=Nature.PREVU, montant=H("400.50")
    )
    op_c = OperationFactory(plie=world.plie_c)
    Ressource.objects.create(operation=op_c, financeur=Financeur.FSE, nature=Nature.PREVU, montant=H("9999"))
    client.force_login(world.oi_user)
    client.get(reverse("finances:consolidation"))
    # session, user, memberships, PLIE (scope) + the PLIE, the grouped resources
    with django_assert_num_queries(6):
        response = client.get(reverse("finances:consolidation"))
    total = dict(response.context["total"])
    assert total["FSE"] == {"prevu": H("1000.50"), "realise": H("0")}  # A + B, not C
    assert [bloc["plie"].nom for bloc in response.context["plies"]] == ["PLIE A", "PLIE B"]
    client.force_login(world.gestionnaire_a)
    assert dict(client.get(reverse("finances:consolidation")).context["total"])["FSE"]["prevu"] == H("600.00")
    for persona in ("referent_a", "financeur", "referent_b"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("finances:consolidation")).status_code == 404


def test_a_mode_change_within_a_month_counts_each_day_once(world, operation):
    """Traced until 15 March, then a fixed 40 %: March's traced hours after the 15th are not
    charged again on top of the percentage."""
    personnel = PersonnelFactory(plie=world.plie_a, user=world.referent_a)
    AffectationFactory(personnel=personnel, operation=operation, date_fin=D(2026, 3, 15))
    AffectationFactory(
        personnel=personnel,
        operation=operation,
        mode=ModeAffectation.POURCENTAGE,
        pourcentage=H("40"),
        date_debut=D(2026, 3, 16),
    )
    Salaire.objects.create(
        personnel=personnel,
        mois=D(2026, 3, 1),
        brut=H("2300"),
        charges=H("700"),
        heures_travaillees=H("151.67"),
    )
    fiche(personnel, D(2026, 3, 9), StatutFiche.VALIDEE, {(D(2026, 3, 10), operation): H("6")})
    fiche(personnel, D(2026, 3, 16), StatutFiche.VALIDEE, {(D(2026, 3, 17), operation): H("7")})
    lignes = plan.couts_personnel(operation, D(2026, 3, 1), D(2026, 3, 31))
    assert [(ligne.mode, ligne.heures_tracees, ligne.montant) for ligne in lignes] == [
        ("temps_trace", H("6.00"), H("118.68")),  # 3 000 × 6 / 151,67
        ("pourcentage", H("7.00"), H("619.35")),  # 3 000 × 40 % × 16/31, whatever the hours
    ]
