"""Factories of the entreprises app, with Traits named after domain states."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from entreprises.enums import ModaliteClause, StatutOffre, TypeEchange
from entreprises.models import (
    Contact,
    Convention,
    Echange,
    Employeur,
    HeuresMois,
    Marche,
    MiseEnRelation,
    Offre,
    Placement,
)
from parcours.enums import TypeContrat
from tests.factories import PlieFactory

# Valid SIRETs (Luhn key right), one per sequence number: 9-digit SIREN + NIC, key fixed by the
# last digit.


def siret_for(n):
    base = f"{123456780 + n:09d}0001"
    for last in range(10):
        candidate = base + str(last)
        total = 0
        for index, char in enumerate(reversed(candidate)):
            d = int(char)
            if index % 2 == 1:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        if total % 10 == 0:
            return candidate
    raise AssertionError


class EmployeurFactory(DjangoModelFactory):
    class Meta:
        model = Employeur

    plie = factory.SubFactory(PlieFactory)
    siret = factory.Sequence(siret_for)
    nom = factory.Sequence(lambda n: f"Entreprise {n}")
    code_naf = "43.99C"
    commune = "Agen"
    code_postal = "47000"
    secteur = "btp"
    taille = "petite"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    employeur = factory.SubFactory(EmployeurFactory)
    nom = "Durand"
    prenom = "Claire"
    fonction = "Responsable RH"


class EchangeFactory(DjangoModelFactory):
    class Meta:
        model = Echange

    employeur = factory.SubFactory(EmployeurFactory)
    type = TypeEchange.VISITE
    date = datetime.date(2026, 3, 2)


class OffreFactory(DjangoModelFactory):
    """An open offer published on 2 March 2026; ``fermee=True`` closed."""

    class Meta:
        model = Offre

    employeur = factory.SubFactory(EmployeurFactory)
    plie = factory.SelfAttribute("employeur.plie")
    intitule = "Maçon VRD"
    code_rome = "F1703"
    type_contrat = TypeContrat.CDD
    heures_hebdo = Decimal(35)
    lieu = "Agen"
    code_postal = "47000"
    date_publication = datetime.date(2026, 3, 2)
    postes = 2

    class Params:
        fermee = factory.Trait(status=StatutOffre.FERMEE)


class MiseEnRelationFactory(DjangoModelFactory):
    class Meta:
        model = MiseEnRelation

    offre = factory.SubFactory(OffreFactory)
    parcours = factory.SubFactory(
        "tests.parcours.factories.ParcoursFactory",
        en_parcours=True,
        participant__plie=factory.SelfAttribute("...offre.plie"),
    )
    participant = factory.SelfAttribute("parcours.participant")
    date_proposition = datetime.date(2026, 3, 10)


class MarcheFactory(DjangoModelFactory):
    class Meta:
        model = Marche

    plie = factory.SubFactory(PlieFactory)
    attributaire = factory.SubFactory(EmployeurFactory, plie=factory.SelfAttribute("..plie"))
    donneur_ordre = "Agglomération d'Agen"
    reference = factory.Sequence(lambda n: f"2026-VRD-{n:03d}")
    lot = "1"
    heures_requises = 1000
    date_debut = datetime.date(2026, 1, 1)
    date_fin = datetime.date(2026, 12, 31)


class PlacementFactory(DjangoModelFactory):
    class Meta:
        model = Placement

    marche = factory.SubFactory(MarcheFactory)
    participant = factory.SubFactory(
        "tests.factories.ParticipantFactory", plie=factory.SelfAttribute("..marche.plie")
    )
    modalite = ModaliteClause.EMBAUCHE_DIRECTE
    date_debut = datetime.date(2026, 2, 2)


class HeuresMoisFactory(DjangoModelFactory):
    class Meta:
        model = HeuresMois

    placement = factory.SubFactory(PlacementFactory)
    mois = datetime.date(2026, 3, 1)
    heures = Decimal(140)


class ConventionFactory(DjangoModelFactory):
    """A convention with a donneur d'ordre signed for 2026; ``avec_employeur=True``: with an
    employer of the same PLIE instead."""

    class Meta:
        model = Convention

    plie = factory.SubFactory(PlieFactory)
    type_partenaire = "donneur_ordre"
    partenaire = "Agglomération d'Agen"
    objet = "Clause d'insertion des marchés de voirie"
    date_signature = datetime.date(2025, 12, 15)
    date_debut = datetime.date(2026, 1, 1)
    date_fin = datetime.date(2026, 12, 31)

    class Params:
        avec_employeur = factory.Trait(
            type_partenaire="siae",
            partenaire="",
            employeur=factory.SubFactory(EmployeurFactory, plie=factory.SelfAttribute("..plie")),
        )
