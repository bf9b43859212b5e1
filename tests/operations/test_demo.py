import datetime
import io

from django.db.models import Count, Q

from operations.models import ActionCollective, Inscription, Operation, Presence
from parcours.models import Parcours
from participants.fse import reponses_manquantes
from plie.core import demo
from tests.core.test_seed_demo import wipe

D = datetime.date


def test_demo_operations_enrolments_and_sessions(db):
    world = demo.build_world(participants=600, plies=2, seed=7, today=demo.PINNED_DATE, stdout=io.StringIO())
    admitted = Parcours.objects.exclude(date_entree=None)
    first_year = min(admitted.values_list("date_entree", flat=True)).year
    years = list(range(first_year, 2027))

    # one PLIE operation and one opérateur operation per PLIE and year
    for plie in world.plies:
        ops = Operation.objects.filter(plie=plie)
        assert sorted(ops.filter(porteur=plie).values_list("date_debut__year", flat=True)) == years
        assert ops.exclude(porteur=plie).filter(porteur__kind="operateur").count() == len(years)
        op = ops.get(code="ACC-2024")
        assert op.intitule == "Accompagnement renforcé 2024" and op.places > 0
        assert op.budget_fse <= op.budget_total and 0 <= op.objectif_sorties_positives <= 100

    # every parcours in the PLIE during a year is enrolled in that year's PLIE operation
    for parcours in admitted.filter(plie=world.plies[0])[:40]:
        fin = parcours.date_sortie
        mine = Inscription.objects.filter(parcours=parcours, operation__porteur_id=parcours.plie_id).order_by(
            "date_entree"
        )
        expected_years = list(range(parcours.date_entree.year, (fin.year if fin else 2026) + 1))
        assert [i.operation.date_debut.year for i in mine] == expected_years
        assert mine[0].date_entree == parcours.date_entree and mine[0].report_de is None
        for previous, current in zip(mine, mine[1:], strict=False):
            assert previous.date_sortie == D(previous.operation.date_fin.year, 12, 31)
            assert current.date_entree == D(current.operation.date_debut.year, 1, 1)
            assert current.report_de == previous
        assert mine.last().date_sortie == fin  # None when still in parcours

    # the rules hold for every enrolment
    inscriptions = Inscription.objects.select_related("operation", "participant")
    total = inscriptions.count()
    assert total > admitted.count()
    assert not inscriptions.exclude(
        date_entree__gte=models_f("operation__date_debut"), date_entree__lte=models_f("operation__date_fin")
    ).exists()
    assert not inscriptions.filter(date_questionnaire__lt=models_f("date_entree")).exists()
    confirmed = inscriptions.filter(questionnaire_confirme_le__isnull=False).count() / total
    assert 0.88 < confirmed < 0.97
    incomplete = sum(1 for i in inscriptions if reponses_manquantes(i.participant, i))
    assert 0 < incomplete < total

    # exit data: mostly within 4 weeks, some late, some missing
    exits = Inscription.objects.filter(date_sortie__isnull=False, date_sortie__lt=D(2025, 11, 1))
    counts = exits.aggregate(
        total=Count("pk"),
        data=Count("pk", filter=Q(sortie_renseignee_le__isnull=False)),
    )
    assert 0.78 < counts["data"] / counts["total"] < 0.92
    delays = [(i.sortie_renseignee_le - i.date_sortie).days for i in exits.exclude(sortie_renseignee_le=None)]
    assert sum(d <= 28 for d in delays) / len(delays) > 0.8 and max(delays) > 28

    # collective sessions with attendance of enrolled participants
    assert ActionCollective.objects.count() >= Operation.objects.count()
    assert Presence.objects.exists()
    presence = Presence.objects.select_related("action").first()
    assert Inscription.objects.filter(
        participant_id=presence.participant_id, operation_id=presence.action.operation_id
    ).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_same_seed_same_operations(db):
    def snapshot():
        demo.build_world(participants=150, plies=1, seed=3, today=demo.PINNED_DATE, stdout=io.StringIO())
        rows = list(
            Inscription.objects.order_by(
                "operation__code", "participant__nom", "participant__prenom", "date_entree"
            ).values_list("operation__code", "date_entree", "date_sortie", "questionnaire_confirme_le")
        )
        return rows, list(Operation.objects.order_by("code").values_list("code", "places", "budget_total"))

    first = snapshot()
    wipe()
    assert snapshot() == first
