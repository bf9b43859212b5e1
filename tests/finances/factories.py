"""Factories of the finances app."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from finances.enums import ModeAffectation
from finances.models import Affectation, FicheTemps, LigneTemps, Personnel
from tests.factories import PlieFactory, UserFactory
from tests.operations.factories import OperationFactory


class PersonnelFactory(DjangoModelFactory):
    """A person of a PLIE's staff, 7 h a day."""

    class Meta:
        model = Personnel
        django_get_or_create = ("plie", "user")

    plie = factory.SubFactory(PlieFactory)
    user = factory.SubFactory(UserFactory)
    heures_jour = Decimal("7.00")


class AffectationFactory(DjangoModelFactory):
    """Time traced per day on an operation of the person's PLIE, over the whole of 2026."""

    class Meta:
        model = Affectation

    personnel = factory.SubFactory(PersonnelFactory)
    operation = factory.SubFactory(OperationFactory, plie=factory.SelfAttribute("..personnel.plie"))
    mode = ModeAffectation.TEMPS_TRACE
    date_debut = datetime.date(2026, 1, 1)
    date_fin = datetime.date(2026, 12, 31)


class FicheTempsFactory(DjangoModelFactory):
    """A draft sheet for the week of Monday 2 March 2026."""

    class Meta:
        model = FicheTemps

    personnel = factory.SubFactory(PersonnelFactory)
    semaine = datetime.date(2026, 3, 2)


class LigneTempsFactory(DjangoModelFactory):
    class Meta:
        model = LigneTemps

    fiche = factory.SubFactory(FicheTempsFactory)
    jour = factory.SelfAttribute("fiche.semaine")
    heures = Decimal("3.50")
