"""The employer side's services: French messages per field, nothing half-saved, the hire
creating the contract and its étape through ``parcours.services.suivi``."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from entreprises import services
from entreprises.enums import StatutMiseEnRelation, StatutOffre, TypeEchange
from entreprises.models import ContratEmployeur, Employeur, HeuresMois, MiseEnRelation, Offre
from parcours.models import Contrat, Etape
from plie.core.scoping import scope_for
from tests.entreprises.factories import (
    EmployeurFactory,
    MarcheFactory,
    MiseEnRelationFactory,
    OffreFactory,
    PlacementFactory,
)
from tests.factories import ParticipantFactory
from tests.parcours.factories import ParcoursFactory, TypeEtapeFactory

D = datetime.date
SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 10, 0), tick=False):
        yield


def messages_of(error):
    return {field: " ".join(str(m) for m in msgs) for field, msgs in error.value.message_dict.items()}


# --- employers ---------------------------------------------------------------------------------


def test_the_chargee_records_an_employer(world):
    employeur = services.employeur_create(
        scope=scope_for(world.charge_a),
        plie_id=world.plie_a.pk,
        siret="732 829 320 00074",
        nom=" Bati Sud ",
        code_naf="4399c",
    )
    assert (employeur.siret, employeur.nom, employeur.code_naf, employeur.created_by) == (
        SIRET,
        "Bati Sud",
        "4399C",
        world.charge_a,
    )


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"siret": "73282932000075", "nom": "X"}, "siret", "clé"),
        ({"siret": "1234", "nom": "X"}, "siret", "14 chiffres"),
        ({"siret": SIRET, "nom": ""}, "nom", "raison sociale"),
        ({"siret": SIRET, "nom": "X", "code_naf": "56.1"}, "code_naf", "NAF"),
    ],
)
def test_bad_employer_input_saves_nothing(world, values, field, fragment):
    with pytest.raises(ValidationError) as error:
        services.employeur_create(scope=scope_for(world.charge_a), plie_id=world.plie_a.pk, **values)
    assert fragment in messages_of(error)[field]
    assert not Employeur.objects.exists()


def test_one_employer_per_siret_within_a_plie(world):
    EmployeurFactory(plie=world.plie_a, siret=SIRET, nom="Bati Sud")
    with pytest.raises(ValidationError) as error:
        services.employeur_create(
            scope=scope_for(world.charge_a), plie_id=world.plie_a.pk, siret=SIRET, nom="Autre"
        )
    assert "Bati Sud" in messages_of(error)["siret"]
    # another PLIE may know the same company
    EmployeurFactory(plie=world.plie_b, siret=SIRET)
    assert Employeur.objects.filter(siret=SIRET).count() == 2


def test_a_referent_records_no_employer(world):
    with pytest.raises(PermissionDenied):
        services.employeur_create(
            scope=scope_for(world.referent_a), plie_id=world.plie_a.pk, siret=SIRET, nom="X"
        )


def test_update_keeps_its_own_siret(world):
    employeur = EmployeurFactory(plie=world.plie_a, siret=SIRET)
    services.employeur_update(scope=scope_for(world.charge_a), employeur=employeur, nom="Nouveau nom")
    employeur.refresh_from_db()
    assert (employeur.nom, employeur.siret) == ("Nouveau nom", SIRET)


def test_exchange_not_in_the_future(world):
    employeur = EmployeurFactory(plie=world.plie_a)
    scope = scope_for(world.charge_a)
    echange = services.echange_add(
        scope=scope, employeur=employeur, type=TypeEchange.APPEL, date=D(2026, 4, 14)
    )
    assert echange.auteur == world.charge_a
    with pytest.raises(ValidationError) as error:
        services.echange_add(scope=scope, employeur=employeur, type=TypeEchange.VISITE, date=D(2026, 4, 16))
    assert "future" in messages_of(error)["date"]


# --- offers and mises en relation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code_rome": "K22"}, "code_rome"),
        ({"heures_hebdo": Decimal(50)}, "heures_hebdo"),
        ({"postes": 0}, "postes"),
        ({"date_limite": D(2026, 3, 1)}, "date_limite"),
        ({"lieu": ""}, "lieu"),
    ],
)
def test_bad_offer_input_saves_nothing(world, values, field):
    employeur = EmployeurFactory(plie=world.plie_a)
    base = {
        "intitule": "Agent d'entretien",
        "code_rome": "K2204",
        "type_contrat": "cdd",
        "heures_hebdo": Decimal(24),
        "lieu": "Agen",
        "date_publication": D(2026, 4, 1),
    }
    with pytest.raises(ValidationError) as error:
        services.offre_create(scope=scope_for(world.charge_a), employeur=employeur, **{**base, **values})
    assert field in messages_of(error)
    assert not Offre.objects.exists()


def parcours_a(world, referent=None):
    return ParcoursFactory(
        plie=world.plie_a,
        participant__plie=world.plie_a,
        en_parcours=True,
        referent=referent or world.referent_a,
    )


def test_a_referent_proposes_a_participant_they_follow(world):
    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a)
    parcours = parcours_a(world)
    mise = services.mise_en_relation_propose(
        scope=scope_for(world.referent_a), offre=offre, participant=parcours.participant
    )
    assert (mise.parcours, mise.status, mise.proposee_par, mise.date_proposition) == (
        parcours,
        StatutMiseEnRelation.PROPOSEE,
        world.referent_a,
        D(2026, 4, 15),
    )


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("fermee", "fermée"),
        ("pourvue", "pourvue"),
        ("date_limite", "closes depuis le 14/04/2026"),
        ("autre_plie", "pas suivi par le PLIE"),
        ("pas_en_parcours", "pas en parcours"),
        ("deja", "déjà proposé"),
    ],
)
def test_bad_mise_en_relation_saves_nothing(world, case, fragment):
    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a)
    participant = parcours_a(world).participant
    if case == "fermee":
        offre.status = StatutOffre.FERMEE
    elif case == "pourvue":
        offre.status = StatutOffre.POURVUE
    elif case == "date_limite":
        offre.date_limite = D(2026, 4, 14)
    elif case == "autre_plie":
        participant = ParcoursFactory(
            plie=world.plie_b, participant__plie=world.plie_b, en_parcours=True
        ).participant
    elif case == "pas_en_parcours":
        participant = ParticipantFactory(plie=world.plie_a)
    offre.save()
    before = 0
    if case == "deja":
        services.mise_en_relation_propose(
            scope=scope_for(world.charge_a), offre=offre, participant=participant
        )
        before = 1
    with pytest.raises(ValidationError) as error:
        services.mise_en_relation_propose(
            scope=scope_for(world.charge_a), offre=offre, participant=participant
        )
    assert fragment in " ".join(messages_of(error).values())
    assert MiseEnRelation.objects.count() == before


def test_a_referent_may_not_propose_a_colleagues_participant(world):
    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a)
    other = parcours_a(world, referent=world.animateur_a)
    with pytest.raises(PermissionDenied):
        services.mise_en_relation_propose(
            scope=scope_for(world.referent_a), offre=offre, participant=other.participant
        )


@pytest.mark.parametrize(
    ("status", "motif", "ok"),
    [
        (StatutMiseEnRelation.CANDIDATURE, "", True),
        (StatutMiseEnRelation.ENTRETIEN, "", True),
        (StatutMiseEnRelation.NON_RETENU, "Profil trop éloigné", True),
        (StatutMiseEnRelation.NON_RETENU, "  ", False),  # the reason is required
        (StatutMiseEnRelation.DESISTEMENT, "", True),
        (StatutMiseEnRelation.RETENU, "", False),  # a hire goes through the contract
    ],
)
def test_outcomes(world, status, motif, ok):
    mise = MiseEnRelationFactory(offre__plie=world.plie_a, offre__employeur__plie=world.plie_a)
    scope = scope_for(world.charge_a)
    if ok:
        services.mise_en_relation_resultat(scope=scope, mise=mise, status=status, motif=motif)
        mise.refresh_from_db()
        assert mise.status == status
    else:
        with pytest.raises(ValidationError):
            services.mise_en_relation_resultat(scope=scope, mise=mise, status=status, motif=motif)
        mise.refresh_from_db()
        assert mise.status == StatutMiseEnRelation.PROPOSEE


def test_a_final_outcome_is_final(world):
    mise = MiseEnRelationFactory(
        offre__plie=world.plie_a, offre__employeur__plie=world.plie_a, status=StatutMiseEnRelation.DESISTEMENT
    )
    with pytest.raises(ValidationError, match="déjà connu"):
        services.mise_en_relation_resultat(
            scope=scope_for(world.charge_a), mise=mise, status=StatutMiseEnRelation.ENTRETIEN
        )


def test_the_hire_creates_the_contract_and_its_etape_in_one_step(world):
    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, postes=1, type_contrat="cdd")
    mise = MiseEnRelationFactory(offre=offre, parcours=parcours_a(world))
    type_etape = TypeEtapeFactory(emploi=True)
    services.mise_en_relation_embauche(
        scope=scope_for(world.referent_a),
        mise=mise,
        type_etape=type_etape,
        date_debut=D(2026, 4, 20),
        date_fin_prevue=D(2026, 10, 19),
    )
    mise.refresh_from_db()
    contrat = Contrat.objects.get(etape=mise.etape)
    assert mise.status == StatutMiseEnRelation.RETENU
    assert (contrat.employeur, contrat.siret, contrat.type_contrat, contrat.heures_hebdo) == (
        offre.employeur.nom,
        offre.employeur.siret,
        "cdd",
        Decimal(35),
    )
    assert mise.etape.parcours == mise.parcours
    assert ContratEmployeur.objects.get(contrat=contrat).employeur == offre.employeur
    offre.refresh_from_db()
    assert offre.status == StatutOffre.POURVUE  # its one post is filled


def test_a_refused_hire_saves_nothing(world):
    """The parcours' own rules apply (a contract before the entry in the PLIE): nothing is saved,
    neither the étape nor the outcome."""
    mise = MiseEnRelationFactory(
        offre__plie=world.plie_a, offre__employeur__plie=world.plie_a, parcours=parcours_a(world)
    )
    with pytest.raises(ValidationError):
        services.mise_en_relation_embauche(
            scope=scope_for(world.referent_a),
            mise=mise,
            type_etape=TypeEtapeFactory(emploi=True),
            date_debut=D(2025, 1, 1),
        )
    mise.refresh_from_db()
    assert mise.status == StatutMiseEnRelation.PROPOSEE
    assert not Etape.objects.exists()
    assert not ContratEmployeur.objects.exists()


def test_the_chargee_does_not_record_the_hire(world):
    mise = MiseEnRelationFactory(
        offre__plie=world.plie_a, offre__employeur__plie=world.plie_a, parcours=parcours_a(world)
    )
    with pytest.raises(PermissionDenied):
        services.mise_en_relation_embauche(
            scope=scope_for(world.charge_a),
            mise=mise,
            type_etape=TypeEtapeFactory(emploi=True),
            date_debut=D(2026, 4, 20),
        )


# --- clause hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mois", "heures", "ok"),
    [
        (D(2026, 3, 1), Decimal(151), True),
        (D(2026, 3, 15), Decimal(212), True),  # any day of the month: stored as the 1st
        (D(2026, 3, 1), Decimal(213), False),  # over 48 h a week
        (D(2026, 1, 1), Decimal(10), False),  # before the placement (from 02/02/2026)
        (D(2027, 1, 1), Decimal(10), False),  # after the market
    ],
)
def test_hours_declared(world, mois, heures, ok):
    placement = PlacementFactory(marche=MarcheFactory(plie=world.plie_a))
    scope = scope_for(world.charge_a)
    if ok:
        row = services.heures_declare(scope=scope, placement=placement, mois=mois, heures=heures)
        assert row.mois == mois.replace(day=1)
    else:
        with pytest.raises(ValidationError) as error:
            services.heures_declare(scope=scope, placement=placement, mois=mois, heures=heures)
        assert "heures" in messages_of(error)
        assert not HeuresMois.objects.exists()


def test_a_market_placement_of_another_plie_is_refused(world):
    marche = MarcheFactory(plie=world.plie_a)
    with pytest.raises(ValidationError) as error:
        services.placement_add(
            scope=scope_for(world.charge_a),
            marche=marche,
            participant=ParticipantFactory(plie=world.plie_b),
            modalite="siae",
            date_debut=D(2026, 3, 1),
        )
    assert "PLIE" in messages_of(error)["participant"]


def test_the_timeline_tells_the_mise_en_relation(world):
    from participants.timeline import timeline

    offre = OffreFactory(plie=world.plie_a, employeur__plie=world.plie_a, employeur__nom="Bati Sud")
    parcours = parcours_a(world)
    mise = services.mise_en_relation_propose(
        scope=scope_for(world.referent_a), offre=offre, participant=parcours.participant
    )
    services.mise_en_relation_resultat(
        scope=scope_for(world.charge_a),
        mise=mise,
        status=StatutMiseEnRelation.NON_RETENU,
        motif="Permis requis",
    )
    texts = [
        e.text
        for e in timeline(parcours.participant, scope=scope_for(world.referent_a))
        if e.kind == "entreprises"
    ]
    assert texts == [
        "Mise en relation sur l'offre « Maçon VRD » chez Bati Sud : non retenu (Permis requis).",
        "Proposé(e) sur l'offre « Maçon VRD » chez Bati Sud.",
    ]
    assert not [
        e
        for e in timeline(parcours.participant, scope=scope_for(world.referent_b))
        if e.kind == "entreprises"
    ]
