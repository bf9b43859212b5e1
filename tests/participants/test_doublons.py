import datetime

import pytest

from participants.doublons import doublons_probables, noms_similaires
from tests.factories import OIFactory, ParticipantFactory, PlieFactory


def person(nom, prenom, nom_naissance=""):
    return {"nom": nom, "prenom": prenom, "nom_naissance": nom_naissance}


EXISTING = person("Dupont", "Marie-Claire")

NEAR_DUPLICATES = [
    (person("DUPONT", "marie-claire"), "case"),
    (person("Dupont", "Marie Claire"), "hyphen as space"),
    (person("Dupont", "Claire Marie"), "first names in another order"),
    (person("Dupont", "Marie"), "only the first of the first names"),
    (person("Dupond", "Marie-Claire"), "one-letter typo in the name"),
    (person("Dupont", "Marie-Clère"), "misspelt first name"),
    (person("Marie-Claire", "Dupont"), "nom and prénom swapped"),
    (person("Martin", "Marie-Claire", nom_naissance="Dupont"), "married: maiden name is the old name"),
    (person("Dupont-Martin", "Marie-Claire"), "double-barrelled married name"),
    (person("Du Pont", "Marie-Claire"), "name written in two words"),
    (person("Dupônt", "Mârie-Claire"), "accents"),
]

NOT_DUPLICATES = [
    (person("Dupont", "Jean"), "same name, another first name"),
    (person("Durand", "Marie-Claire"), "another family name"),
    (person("Martin", "Marie-Claire"), "married name without the maiden name"),
    (person("Dupuis", "Sophie"), "both differ"),
    (person("Lefebvre", "Marc"), "nothing in common"),
    (person("Dupont", "Marius"), "close but different first name"),
    (person("Dumont", "Léa"), "close name, other first name"),
    (person("Claire", "Marie"), "first names as name"),
    (person("Bernard", "Claude"), "unrelated"),
    (person("Dupont", "Maxime"), "same family, a brother"),
]


@pytest.mark.parametrize(("candidate", "why"), NEAR_DUPLICATES, ids=[w for _, w in NEAR_DUPLICATES])
def test_near_duplicates_are_found(candidate, why):
    assert noms_similaires(candidate, EXISTING)
    assert noms_similaires(EXISTING, candidate)


@pytest.mark.parametrize(("candidate", "why"), NOT_DUPLICATES, ids=[w for _, w in NOT_DUPLICATES])
def test_different_people_are_not_duplicates(candidate, why):
    assert not noms_similaires(candidate, EXISTING)


BIRTH = datetime.date(1984, 7, 2)


def test_search_covers_the_plie_and_the_other_plie_of_its_oi(db, django_assert_num_queries):
    oi = OIFactory()
    plie_a, plie_b = PlieFactory(oi=oi), PlieFactory(oi=oi)
    elsewhere = PlieFactory(oi=OIFactory())
    in_a = ParticipantFactory(plie=plie_a, nom="Dupont", prenom="Marie-Claire", date_naissance=BIRTH)
    in_b = ParticipantFactory(
        plie=plie_b, nom="Martin", nom_naissance="Dupont", prenom="Marie", date_naissance=BIRTH
    )
    ParticipantFactory(plie=elsewhere, nom="Dupont", prenom="Marie-Claire", date_naissance=BIRTH)
    ParticipantFactory(
        plie=plie_a, nom="Dupont", prenom="Marie-Claire", date_naissance=datetime.date(1984, 7, 3)
    )
    ParticipantFactory(plie=plie_a, nom="Durand", prenom="Paul", date_naissance=BIRTH)
    with django_assert_num_queries(1):
        found = doublons_probables(plie=plie_a, nom="DUPONT", prenom="marie claire", date_naissance=BIRTH)
    assert set(found) == {in_a, in_b}
    assert doublons_probables(
        plie=plie_a, nom="Dupont", prenom="Marie-Claire", date_naissance=BIRTH, exclude_id=in_a.id
    ) == [in_b]


def test_a_plie_without_oi_looks_only_at_itself(db):
    plie, other = PlieFactory(), PlieFactory()
    mine = ParticipantFactory(plie=plie, nom="Nguyen", prenom="Thi Mai", date_naissance=BIRTH)
    ParticipantFactory(plie=other, nom="Nguyen", prenom="Thi Mai", date_naissance=BIRTH)
    assert doublons_probables(plie=plie, nom="NGUYEN", prenom="Mai Thi", date_naissance=BIRTH) == [mine]
