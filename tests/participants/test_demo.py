import io

from participants.fse import reponses_manquantes
from participants.models import Frein, Participant, SituationEntree
from plie.core import demo


def test_demo_participants_have_contacts_questionnaires_and_freins(db):
    demo.build_world(participants=400, plies=2, seed=7, today=demo.PINNED_DATE, stdout=io.StringIO())
    participants = list(Participant.objects.prefetch_related("situations"))
    assert len(participants) == 400
    assert all(p.search_text and p.telephone_digits and len(p.code_postal) == 5 for p in participants)
    with_situation = [p for p in participants if p.situation_entree is not None]
    assert 0.75 < len(with_situation) / 400 < 0.95
    incomplete = [p for p in with_situation if reponses_manquantes(p, p.situation_entree)]
    # some questionnaires are incomplete (for the completeness board), most are not
    assert 0.05 < len(incomplete) / len(with_situation) < 0.4
    assert Frein.objects.leves().exists()
    assert Frein.objects.actifs().exists()
    assert SituationEntree.objects.filter(
        statut_emploi="non", recherche_emploi=True, duree_recherche_mois__gte=12
    ).exists()
