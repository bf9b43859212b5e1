"""People of the file who look like participants already in the PLIE (or its OI) under no legacy
id: matched by the participants' duplicate detection and reported, never merged."""

import datetime

from participants.models import Participant
from tests.factories import ParticipantFactory
from tests.parcours.importation.helpers import csv_bytes, ligne, run


def test_a_probable_duplicate_is_reported_not_merged(world):
    existing = ParticipantFactory(
        plie=world.plie_a, nom="MARTIN", prenom="Lea", date_naissance=datetime.date(1990, 3, 12)
    )
    other_oi = ParticipantFactory(
        plie=world.plie_c, nom="Martin", prenom="Léa", date_naissance=datetime.date(1990, 3, 12)
    )

    resultat, compteurs = run(csv_bytes([ligne()]), world.plie_a)

    assert resultat.valide and compteurs.participants_crees == 1
    assert len(resultat.doublons) == 1
    line, identifiant, message = resultat.doublons[0]
    assert (line, identifiant) == (2, "L001")
    assert f"dossier n° {existing.pk}, PLIE A" in message
    assert f"dossier n° {other_oi.pk}," not in message  # another OI is not searched
    assert Participant.objects.filter(plie=world.plie_a).count() == 2  # not merged


def test_a_participant_imported_before_is_matched_by_its_legacy_id_not_reported(world):
    first = ligne(date_sortie="30/06/2024", type_sortie="DEMENAGEMENT")
    run(csv_bytes([first]), world.plie_a)
    rows = [first, ligne(date_entree="01/01/2025", prenom="Léa Marie")]
    resultat, compteurs = run(csv_bytes(rows), world.plie_a)
    assert resultat.doublons == []
    counts = (compteurs.participants_crees, compteurs.participants_modifies, compteurs.parcours_crees)
    assert counts == (0, 1, 1)
    assert Participant.objects.get().prenom == "Léa Marie"  # identity from the latest parcours


def test_different_names_with_the_same_birth_date_are_not_reported(world):
    ParticipantFactory(
        plie=world.plie_b, nom="Durand", prenom="Paul", date_naissance=datetime.date(1990, 3, 12)
    )
    resultat, _ = run(csv_bytes([ligne()]), world.plie_a)
    assert resultat.doublons == []
