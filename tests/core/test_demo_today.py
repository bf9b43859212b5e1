"""The demo lives in the day it is loaded (``seed_demo`` without ``--date``) and its figures agree:
the référent's home, « À traiter », « Ma file active » and its alert filter, the animation team's
home and the PLIE's dashboard count the same alert rows, computed by the nightly jobs that
``seed_demo`` runs once the demo is loaded (issue 15)."""

import datetime
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from parcours.enums import TypeAlerte
from parcours.models import Alerte, Entretien, Parcours
from plie.core import nightly
from plie.core.enums import RunOutcome
from plie.core.models import DemoDataset, Structure, TaskRun, User

PARIS = ZoneInfo("Europe/Paris")
LOADED_ON = datetime.date(2027, 3, 10)  # any day: the demo is drawn relative to it
DEMO_REFERENT = "referent@plie-lyon-sud.demo"
ANIMATION = "animation@plie-lyon-sud.demo"


@pytest.fixture
def loaded(time_machine, db):
    """``make run``'s demo (default size), loaded on :data:`LOADED_ON` at 10:00."""
    time_machine.move_to(datetime.datetime.combine(LOADED_ON, datetime.time(10), tzinfo=PARIS), tick=False)
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    return out.getvalue()


def panel(response, template):
    return next(p for p in response.context["panels"] if p["template"].endswith(template))


def workspace_count(client, **params):
    response = client.get(reverse("parcours:workspace"), params)
    assert response.status_code == 200
    return len(response.context["rows"])


def test_the_demo_is_dated_from_the_day_it_is_loaded(loaded, client):
    assert DemoDataset.objects.get().reference_date == LOADED_ON
    assert f"Données de démonstration du {LOADED_ON:%d/%m/%Y}" in loaded
    referent = User.objects.get(email=DEMO_REFERENT)
    actifs = Parcours.objects.actifs().filter(referent=referent)
    # the demo référent follows about 80 parcours (the norm of a file active)
    assert 70 <= actifs.count() <= 100
    # recent entretiens, none in the future
    last = Entretien.objects.filter(parcours__referent=referent).latest("date").date
    assert LOADED_ON - datetime.timedelta(days=10) <= last <= LOADED_ON
    # appointments this week, some today or tomorrow, at several hours
    now = timezone.now()
    week = actifs.filter(prochain_rdv__gte=now, prochain_rdv__lt=now + datetime.timedelta(days=7))
    assert week.count() >= 5
    soon = actifs.filter(
        prochain_rdv__date__lte=LOADED_ON + datetime.timedelta(days=1), prochain_rdv__gte=now
    )
    assert soon.exists()
    assert len({timezone.localtime(p.prochain_rdv).hour for p in actifs.exclude(prochain_rdv=None)}) > 3
    # this year's flows: entries since 1 January
    assert Parcours.objects.filter(date_entree__year=LOADED_ON.year, plie__code="plie-lyon-sud").count() > 10
    # alerts due now, of several kinds, computed at load for that day
    kinds = Counter(Alerte.objects.filter(plie__code="plie-lyon-sud").values_list("type", flat=True))
    for kind in (TypeAlerte.SANS_CONTACT, TypeAlerte.RDV_PASSE, TypeAlerte.SORTIE_VALIDABLE):
        assert kinds[kind] > 0, kind
    assert set(Alerte.objects.values_list("computed_on", flat=True)) == {LOADED_ON}
    assert not nightly.night_due(LOADED_ON)
    plies = Structure.objects.plies().count()
    runs = TaskRun.objects.filter(run_date=LOADED_ON, outcome=RunOutcome.SUCCESS, task="alertes_parcours")
    assert runs.count() == plies
    # the nightly runs page is not empty
    client.force_login(User.objects.get(email="administrateur@plie-lyon-sud.demo"))
    response = client.get(reverse("core:taskrun_list"))
    assert "Aucune exécution enregistrée" not in response.content.decode()
    assert {run.task for run in response.context["runs"]} >= {"alertes_parcours", "comptage_participants"}


def test_home_a_traiter_file_active_and_dashboard_agree(loaded, client):
    referent = User.objects.get(email=DEMO_REFERENT)
    plie = Structure.objects.get(code="plie-lyon-sud")
    client.force_login(referent)
    home = client.get(reverse("home"))
    file_active = panel(home, "home_file_active.html")
    a_traiter = {a["type"]: a["nombre"] for a in panel(home, "home_alertes.html")["alertes"]}
    assert file_active["sans_contact"] > 0
    assert a_traiter[TypeAlerte.SANS_CONTACT] == file_active["sans_contact"]
    # « Ma file active »: everything, then each alert filter
    assert workspace_count(client) == file_active["total"]
    for kind, count in a_traiter.items():
        assert workspace_count(client, alerte=kind) == count, kind
    # the home's rendered figure is the same
    assert f"<strong>{file_active['sans_contact']}</strong> sans contact" in home.content.decode()

    # the animation team: its home, the référents' files actives and the PLIE's dashboard
    client.force_login(User.objects.get(email=ANIMATION))
    home = client.get(reverse("home"))
    dossiers = panel(home, "home_sans_contact.html")["total"]
    dashboard = client.get(reverse("reporting:dashboard"), {"plie": plie.code})
    assert dashboard.status_code == 200
    alertes = dashboard.context["tableau"].colonnes[0].alertes
    assert alertes[TypeAlerte.SANS_CONTACT] == dossiers
    # every référent following the PLIE's parcours, an opérateur's référent included (issue 16)
    referents = User.objects.filter(parcours_suivis__plie=plie).distinct()
    for kind in TypeAlerte.values:
        per_referent = [workspace_count(client, referent=r.pk, alerte=kind) for r in referents]
        assert sum(per_referent) == alertes[kind], kind
    assert (
        workspace_count(client, referent=referent.pk, alerte=TypeAlerte.SANS_CONTACT)
        == file_active["sans_contact"]
    )
