"""No role sees a link it cannot follow: for each persona, with a populated PLIE A, every internal
link on the home page and on the pages of the menu — and on the pages those links open — answers
below 400 for that persona (a redirect must land below 400 too).

Bounded: one URL per (route, query keys) shape, so a list of 50 dossiers costs one visit."""

import datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import Resolver404, resolve

from parcours.models import Decision
from plie.core.navigation import entries_for
from plie.core.scoping import scope_for
from tests.factories import FreinFactory, ParticipantFactory, SituationEntreeFactory
from tests.operations.factories import InscriptionFactory, OperationFactory
from tests.parcours.factories import (
    CommissionFactory,
    ContratFactory,
    EntretienFactory,
    ParcoursFactory,
    SortieFactory,
    SuspensionFactory,
)

D = datetime.date
PERSONAS = (
    "referent_a",
    "animateur_a",
    "gestionnaire_a",
    "direction_a",
    "admin_a",
    "referent_b",
    "oi_user",
    "financeur",
    "referent_operateur",
    "no_role",
)
SKIPPED_PREFIXES = ("/static/", "/admin/", "/deconnexion/", "/media-non-public/")
MAX_VISITS_PER_PERSONA = 120


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def internal_links(html):
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # external, mailto:, #fragment, relative
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def shape(url):
    """Same view with the same query keys: one visit is enough."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
        route = (match.view_name, tuple(sorted(match.kwargs)))
    except Resolver404:
        route = (parts.path, ())
    keys = tuple(sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair}))
    return route, keys


@pytest.fixture
def populated(world):
    """PLIE A as a working day finds it: followed parcours (entretien, étape with a contract,
    suspension, frein), a candidate before commission, an exited parcours, an operation with a
    complete and an incomplete enrolment, a commission with a decision to take."""
    plie = world.plie_a

    def participant(nom):
        person = ParticipantFactory(plie=plie, nom=nom, prenom="Lou")
        SituationEntreeFactory(participant=person, complete=True)
        return person

    suivi = ParcoursFactory(participant=participant("Suivi"), en_parcours=True, referent=world.referent_a)
    EntretienFactory(parcours=suivi, referent=world.referent_a)
    ContratFactory(etape__parcours=suivi)
    SuspensionFactory(parcours=suivi, date_debut=D(2026, 5, 1), date_fin=D(2026, 5, 31))
    FreinFactory(participant=suivi.participant)
    candidat = ParcoursFactory(participant=participant("Candidat"), date_orientation=D(2026, 10, 1))
    sorti = ParcoursFactory(participant=participant("Sorti"), sorti=True, referent=world.referent_a)
    SortieFactory(parcours=sorti, positive=True)
    operation = OperationFactory(plie=plie, code="ACC-A")
    InscriptionFactory(operation=operation, participant=suivi.participant, parcours=suivi, complete=True)
    InscriptionFactory(operation=operation, participant=candidat.participant, niveau_formation="")
    commission = CommissionFactory(plie=plie, date=D(2026, 11, 20))
    Decision.objects.create(commission=commission, parcours=candidat, objet="entree")
    # PLIE B: a dossier of its own, never linked from A's pages
    ParcoursFactory(participant=ParticipantFactory(plie=world.plie_b, nom="Autre"), en_parcours=True)
    return world


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 10, 9, 0), tick=False):
        yield


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_shown_to_a_persona_answers_below_400(client, populated, persona):
    user = getattr(populated, persona)
    client.force_login(user)
    start = ["/", *(entry["url"] for entry in entries_for(scope_for(user)))]
    seen_shapes = set()
    visited = {}
    failures = []
    # (url, page it was found on, depth): the start pages, their links, those pages' links, theirs
    queue = [(url, "(menu)", 0) for url in start]
    while queue and len(visited) < MAX_VISITS_PER_PERSONA:
        url, found_on, depth = queue.pop(0)
        if url in visited or (depth > 0 and shape(url) in seen_shapes):
            continue
        seen_shapes.add(shape(url))
        response = client.get(url)
        status = response.status_code
        if status in (301, 302):
            target = response["Location"]
            status = client.get(target).status_code
            url_label = f"{url} → {target}"
        else:
            url_label = url
        visited[url] = status
        if status >= 400:
            failures.append(f"{status} {url_label} (lien sur {found_on})")
            continue
        if depth < 3 and response.get("Content-Type", "").startswith("text/html"):
            queue.extend((link, url, depth + 1) for link in internal_links(response.content.decode()))
    assert not failures, f"{persona}: liens refusés\n" + "\n".join(failures)
    assert visited["/"] == 200
