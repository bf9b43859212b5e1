import datetime
import io
from decimal import Decimal

from finances import bilan, plan
from finances.enums import Nature, StatutFiche
from finances.models import FicheTemps, LigneTemps, Personnel, Salaire
from finances.temps import MAX_HEURES_JOUR
from operations.models import Operation
from plie.core import demo

D = datetime.date


def test_demo_time_sheets_and_plan(db):
    world = demo.build_world(participants=200, plies=1, seed=5, today=demo.PINNED_DATE, stdout=io.StringIO())
    plie = world.plies[0]
    operation = Operation.objects.get(plie=plie, code="ACC-2025")
    referents = Personnel.objects.filter(plie=plie, affectations__mode="temps_trace")
    assert referents.count() == len(world.referents[plie.id])
    personnel = referents.first()
    fiches = FicheTemps.objects.filter(personnel=personnel)
    assert fiches.count() == 53  # the weeks of 2025, from Monday 30 December 2024
    assert fiches.filter(statut=StatutFiche.VALIDEE).count() == 49
    assert fiches.filter(statut=StatutFiche.BROUILLON).count() == 2
    assert Salaire.objects.filter(personnel=personnel).count() == 12
    day_totals = {}
    for jour, heures in LigneTemps.objects.filter(fiche__personnel=personnel).values_list("jour", "heures"):
        day_totals[jour] = day_totals.get(jour, 0) + heures
    assert max(day_totals.values()) <= min(MAX_HEURES_JOUR, personnel.heures_jour)
    p = plan.plan(operation)
    for nature in Nature.values:
        assert Decimal(0) < p.total_ressources(nature) <= p.total_depenses(nature)
    assert p.taux_fse(Nature.PREVU) == Decimal("60.00")
    data = bilan.bilan_financier(operation, D(2025, 1, 1), D(2025, 12, 31))
    assert any("à signer" in manque for manque in data["controle"])
