"""Factories of the parcours app, with Traits named after domain states."""

import datetime

import factory
from factory.django import DjangoModelFactory

from parcours.enums import CategorieEtape, CategorieSortie, ModeEntretien, StatutParcours, TypeContrat
from parcours.models import (
    Commission,
    Contrat,
    Entretien,
    Etape,
    Parcours,
    Sortie,
    Suspension,
    TypeEtape,
    TypeSortie,
)
from parcours.referentiels import classe_nationale_par_defaut
from tests.factories import ParticipantFactory, UserFactory


class ParcoursFactory(DjangoModelFactory):
    """A candidate oriented on 5 January 2026; ``en_parcours=True`` admitted and entered on
    2 February 2026; ``sorti=True`` also exited on 30 September 2026."""

    class Meta:
        model = Parcours

    participant = factory.SubFactory(ParticipantFactory)
    plie = factory.SelfAttribute("participant.plie")
    date_orientation = datetime.date(2026, 1, 5)
    status = StatutParcours.CANDIDAT

    class Params:
        en_parcours = factory.Trait(
            status=StatutParcours.EN_PARCOURS,
            date_commission=datetime.date(2026, 1, 28),
            date_entree=datetime.date(2026, 2, 2),
            date_signature_contrat=datetime.date(2026, 2, 2),
            referent=factory.SubFactory(UserFactory),
        )
        sorti = factory.Trait(
            status=StatutParcours.SORTI,
            date_commission=datetime.date(2026, 1, 28),
            date_entree=datetime.date(2026, 2, 2),
            date_sortie=datetime.date(2026, 9, 30),
            referent=factory.SubFactory(UserFactory),
        )


class CommissionFactory(DjangoModelFactory):
    class Meta:
        model = Commission

    plie = factory.SubFactory("tests.factories.PlieFactory")
    date = datetime.date(2026, 1, 28)
    lieu = "Salle du conseil"


class EntretienFactory(DjangoModelFactory):
    class Meta:
        model = Entretien

    parcours = factory.SubFactory(ParcoursFactory, en_parcours=True)
    date = datetime.date(2026, 3, 10)
    mode = ModeEntretien.INDIVIDUEL
    duree_minutes = 45
    referent = factory.SelfAttribute("parcours.referent")


class TypeEtapeFactory(DjangoModelFactory):
    class Meta:
        model = TypeEtape
        django_get_or_create = ("plie", "code")

    plie = None
    code = factory.Sequence(lambda n: f"type-etape-{n}")
    libelle = factory.Sequence(lambda n: f"Type d'étape {n}")
    categorie = CategorieEtape.MOBILISATION

    class Params:
        emploi = factory.Trait(categorie=CategorieEtape.EMPLOI_DURABLE)


class EtapeFactory(DjangoModelFactory):
    class Meta:
        model = Etape

    parcours = factory.SubFactory(ParcoursFactory, en_parcours=True)
    type = factory.SubFactory(TypeEtapeFactory)
    date_debut = datetime.date(2026, 3, 1)


class ContratFactory(DjangoModelFactory):
    """A CDI of 35 h a week from 1 April 2026, in an emploi-durable étape."""

    class Meta:
        model = Contrat

    etape = factory.SubFactory(EtapeFactory, type=factory.SubFactory(TypeEtapeFactory, emploi=True))
    employeur = "Boulangerie du Centre"
    type_contrat = TypeContrat.CDI
    heures_hebdo = 35
    date_debut = datetime.date(2026, 4, 1)


class SuspensionFactory(DjangoModelFactory):
    class Meta:
        model = Suspension

    parcours = factory.SubFactory(ParcoursFactory, en_parcours=True)
    motif = "sante"
    date_debut = datetime.date(2026, 5, 1)


class TypeSortieFactory(DjangoModelFactory):
    class Meta:
        model = TypeSortie
        django_get_or_create = ("plie", "code")

    plie = factory.SubFactory("tests.factories.PlieFactory")
    code = "ABANDON"
    libelle = "Abandon"
    categorie = CategorieSortie.ABANDON
    classe_nationale = factory.LazyAttribute(lambda o: classe_nationale_par_defaut(o.code, o.categorie))

    class Params:
        positive = factory.Trait(
            code="CDI", libelle="CDI", categorie=CategorieSortie.EMPLOI_DURABLE,
            criteres=[{"type": "duree_emploi", "mois": 6}],
        )  # fmt: skip
        neutralisee = factory.Trait(
            code="DEMENAGEMENT", libelle="Déménagement", categorie=CategorieSortie.NEUTRALISEE
        )


class SortieFactory(DjangoModelFactory):
    """An exit on the parcours' exit date; ``positive=True`` a CDI; ``valide=True`` validated on
    its date (a Trait cannot bear the field's own name, hence not ``validee``)."""

    class Meta:
        model = Sortie

    parcours = factory.SubFactory(ParcoursFactory, sorti=True)
    type = factory.SubFactory(TypeSortieFactory, plie=factory.SelfAttribute("..parcours.plie"))
    date_sortie = factory.SelfAttribute("parcours.date_sortie")

    class Params:
        positive = factory.Trait(
            type=factory.SubFactory(
                TypeSortieFactory, positive=True, plie=factory.SelfAttribute("..parcours.plie")
            )
        )
        valide = factory.Trait(validee=True, date_validation=factory.SelfAttribute("date_sortie"))
