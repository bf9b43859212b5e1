import io
from collections import Counter

from parcours.enums import CATEGORIES_POSITIVES, CategorieSortie, StatutParcours
from parcours.models import Commission, Contrat, Decision, Entretien, Etape, Parcours, Sortie
from parcours.sorties import contrats_of, date_validable
from plie.core import demo


def test_demo_parcours_look_like_the_national_figures(db):
    demo.build_world(participants=1500, plies=2, seed=11, today=demo.PINNED_DATE, stdout=io.StringIO())
    parcours = Parcours.objects.all()
    statuses = Counter(parcours.values_list("status", flat=True))
    assert {StatutParcours.CANDIDAT, StatutParcours.EN_PARCOURS, StatutParcours.SORTI} <= set(statuses)
    assert statuses[StatutParcours.SUSPENDU] and statuses[StatutParcours.EN_SUIVI_EMPLOI]

    sorties = Sortie.objects.filter(validee=True).select_related("type")
    categories = Counter(s.type.categorie for s in sorties)
    total = sum(categories.values())
    positive = sum(n for c, n in categories.items() if c in CATEGORIES_POSITIVES) / total
    assert 0.32 < positive < 0.52  # 42 % nationally
    assert 0.12 < categories[CategorieSortie.ABANDON] / total < 0.30  # 21 %
    assert categories[CategorieSortie.NEUTRALISEE] > 0

    # every admitted parcours went through a commission; every exit is dated as its parcours
    admitted = parcours.exclude(date_entree=None)
    assert Decision.objects.filter(decision="admis").count() == admitted.count()
    assert Commission.objects.count() > 0
    assert not Sortie.objects.filter(validee=True).exclude(parcours__status=StatutParcours.SORTI).exists()
    assert Etape.objects.count() > admitted.count()
    assert Entretien.objects.count() > admitted.count()
    assert Contrat.objects.exists()


def test_demo_job_exits_meet_their_own_validation_rule(db):
    demo.build_world(participants=800, plies=1, seed=5, today=demo.PINNED_DATE, stdout=io.StringIO())
    checked = 0
    for sortie in Sortie.objects.filter(validee=True).select_related("type", "parcours"):
        if not sortie.type.criteres:
            continue
        validable = date_validable(
            contrats_of(sortie.parcours), sortie.type.criteres, depuis=sortie.date_sortie
        )
        assert validable is not None and validable <= sortie.date_validation, (sortie.type.code, validable)
        checked += 1
    assert checked > 10


def test_demo_workspace_dates_match_the_entretiens(db):
    from django.db.models import Max

    demo.build_world(participants=300, plies=1, seed=3, today=demo.PINNED_DATE, stdout=io.StringIO())
    admitted = Parcours.objects.exclude(date_entree=None).annotate(last=Max("entretiens__date"))
    assert admitted.exists()
    assert all(p.dernier_contact == p.last for p in admitted)
    assert not admitted.filter(date_sortie=None, prochain_rdv=None).exists()
