"""Factories of the operations app."""

import datetime

import factory
from factory.django import DjangoModelFactory

from operations.models import ActionCollective, Inscription, Operation, Presence
from tests.factories import ParticipantFactory, PlieFactory


class OperationFactory(DjangoModelFactory):
    """The 2026 « Accompagnement renforcé » operation of a PLIE, carried by the PLIE itself."""

    class Meta:
        model = Operation

    plie = factory.SubFactory(PlieFactory)
    porteur = factory.SelfAttribute("plie")
    code = factory.Sequence(lambda n: f"ACC-2026-{n:03d}")
    intitule = "Accompagnement renforcé vers l'emploi"
    date_debut = datetime.date(2026, 1, 1)
    date_fin = datetime.date(2026, 12, 31)
    axe = "4"
    objectif_specifique = "ESO4.8"
    places = 80
    objectif_participants = 120
    objectif_sorties_positives = 50


class InscriptionFactory(DjangoModelFactory):
    """An enrolment on 2 February 2026; ``complete=True`` answers the whole entry questionnaire
    (a long-term job seeker on the RSA), ``sortie=True`` also leaves on 30 September 2026 with
    exit data recorded on 15 October 2026."""

    class Meta:
        model = Inscription

    operation = factory.SubFactory(OperationFactory)
    participant = factory.SubFactory(ParticipantFactory, plie=factory.SelfAttribute("..operation.plie"))
    date_entree = datetime.date(2026, 2, 2)

    class Params:
        complete = factory.Trait(
            date_questionnaire=factory.SelfAttribute("date_entree"),
            statut_emploi="non",
            en_formation=False,
            recherche_emploi=True,
            duree_recherche_mois=14,
            niveau_formation="2b",
            handicap_reconnu=False,
            minima_sociaux=True,
            beneficiaire_rsa=True,
            sans_domicile="non",
            parent_ne_etranger="nsp",
            menage_sans_emploi=True,
            menage_enfants=False,
            menage_monoparental=False,
        )
        sortie = factory.Trait(
            date_sortie=datetime.date(2026, 9, 30),
            sortie_anticipee=False,
            sortie_statut_emploi="1b",
            sortie_en_formation=False,
            sortie_recherche_emploi=False,
            sortie_qualification=False,
            sortie_renseignee_le=datetime.date(2026, 10, 15),
        )


class ActionCollectiveFactory(DjangoModelFactory):
    class Meta:
        model = ActionCollective

    operation = factory.SubFactory(OperationFactory)
    intitule = "Atelier CV et lettre de motivation"
    date = datetime.date(2026, 3, 12)
    heure_debut = datetime.time(9, 30)
    heure_fin = datetime.time(12, 0)
    lieu = "Maison de l'emploi, salle 2"
    animateur = "Claire Martin"


class PresenceFactory(DjangoModelFactory):
    class Meta:
        model = Presence

    action = factory.SubFactory(ActionCollectiveFactory)
    participant = factory.SubFactory(
        ParticipantFactory, plie=factory.SelfAttribute("..action.operation.plie")
    )
