"""No role sees a link it cannot follow on the employer side: the link walk of
``tests/core/test_links.py`` over a PLIE A with employers, offers, mises en relation, a clause
market and an exit due for its six-month follow-up, for every persona and the chargée."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from entreprises.models import ActionEntreprise, PresenceAction
from plie.core.navigation import entries_for
from plie.core.scoping import scope_for
from tests.core.test_links import MAX_VISITS_PER_PERSONA, PERSONAS, internal_links, shape
from tests.entreprises.factories import (
    ContactFactory,
    EchangeFactory,
    HeuresMoisFactory,
    MarcheFactory,
    MiseEnRelationFactory,
    OffreFactory,
    PlacementFactory,
)
from tests.parcours.factories import ParcoursFactory

D = datetime.date


@pytest.fixture
def populated(world):
    plie = world.plie_a
    offre = OffreFactory(plie=plie, employeur__plie=plie)
    ContactFactory(employeur=offre.employeur)
    EchangeFactory(employeur=offre.employeur)
    MiseEnRelationFactory(
        offre=offre,
        parcours=ParcoursFactory(
            plie=plie, participant__plie=plie, en_parcours=True, referent=world.referent_a
        ),
    )
    OffreFactory(plie=plie, employeur=offre.employeur, status="fermee")
    marche = MarcheFactory(plie=plie, attributaire=offre.employeur)
    HeuresMoisFactory(placement=PlacementFactory(marche=marche), heures=Decimal(100))
    ParcoursFactory(
        plie=plie, participant__plie=plie, sorti=True, date_sortie=D(2026, 3, 31), referent=world.referent_a
    )
    OffreFactory(plie=world.plie_b, employeur__plie=world.plie_b)
    action = ActionEntreprise.objects.create(
        plie=plie, type="job_dating", intitule="Job dating", date=D(2026, 10, 1)
    )
    action.employeurs.add(offre.employeur)
    PresenceAction.objects.create(
        action=action, participant=offre.mises_en_relation.get().participant, present=True
    )
    return world


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 10, 9, 0), tick=False):
        yield


@pytest.mark.parametrize("persona", [*PERSONAS, "charge_a"])
def test_every_link_shown_answers_below_400(client, populated, persona):
    user = getattr(populated, persona)
    client.force_login(user)
    start = [
        "/",
        *(entry["url"] for entry in entries_for(scope_for(user)) if "/entreprises/" in entry["url"]),
    ]
    seen_shapes, visited, failures = set(), {}, []
    queue = [(url, "(menu)", 0) for url in start]
    while queue and len(visited) < MAX_VISITS_PER_PERSONA:
        url, found_on, depth = queue.pop(0)
        if url in visited or (depth > 0 and shape(url) in seen_shapes):
            continue
        seen_shapes.add(shape(url))
        response = client.get(url)
        status = response.status_code
        if status in (301, 302):
            status = client.get(response["Location"]).status_code
        visited[url] = status
        if status >= 400:
            failures.append(f"{status} {url} (lien sur {found_on})")
            continue
        if depth < 3 and response.get("Content-Type", "").startswith("text/html"):
            queue.extend(
                (link, url, depth + 1)
                for link in internal_links(response.content.decode())
                if "/entreprises/" in link or depth == 0
            )
    assert not failures, f"{persona}: liens refusés\n" + "\n".join(failures)
