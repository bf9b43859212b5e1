import datetime
from zoneinfo import ZoneInfo

import pytest

from participants import services, timeline
from participants.documents import document_delete
from participants.timeline import Event
from plie.core import registry
from plie.core.scoping import scope_for
from tests.factories import DocumentFactory

D = datetime.date
PARIS = ZoneInfo("Europe/Paris")


def at(day, hour):
    return datetime.datetime(2026, 6, day, hour, 0, tzinfo=PARIS)


@pytest.fixture
def story(world, time_machine):
    """A dossier's first weeks, one step an hour, written through the services."""
    referent, animateur = world.referent_a, world.animateur_a

    def step(hour):
        time_machine.move_to(at(1, hour), tick=False)

    step(9)
    participant = services.participant_create(
        scope=scope_for(referent),
        plie=world.plie_a,
        nom="Lefèvre",
        prenom="Hélène",
        sexe="F",
        date_naissance=D(1979, 4, 2),
    )
    step(10)
    situation = services.situation_save(
        scope=scope_for(referent), participant=participant, date_entree=D(2026, 5, 4), statut_emploi="non"
    )
    step(11)
    services.participant_update(
        scope=scope_for(animateur), participant=participant, commune="Bron", telephone="0611223344"
    )
    step(12)
    services.situation_save(
        scope=scope_for(referent),
        participant=participant,
        situation=situation,
        niveau_formation="2c",
        handicap_reconnu=True,
    )
    step(13)
    mobilite = services.frein_add(
        scope=scope_for(referent), participant=participant, type="mobilite", date_identification=D(2026, 5, 4)
    )
    services.frein_add(
        scope=scope_for(referent), participant=participant, type="sante", date_identification=D(2026, 5, 4)
    )
    step(14)
    services.frein_lift(scope=scope_for(referent), frein=mobilite, date_levee=D(2026, 5, 28))
    step(15)
    DocumentFactory(participant=participant, uploaded_by=referent, nom_original="cni.pdf")
    DocumentFactory(participant=participant, uploaded_by=referent, rqth=True)
    step(16)
    save_without_change = participant
    services.participant_update(scope=scope_for(referent), participant=save_without_change, commune="Bron")
    return participant


def texts(events):
    return [event.text for event in events]


def test_what_happened_newest_first(world, story):
    events = timeline.timeline(story, scope=scope_for(world.referent_a))
    assert texts(events) == [
        "Document ajouté : Justificatif RQTH / handicap — Notification RQTH.pdf.",
        "Document ajouté : Pièce d'identité / titre de séjour — cni.pdf.",
        "Frein levé : Mobilité (le 28/05/2026).",
        "Frein identifié : Santé (le 04/05/2026).",
        "Frein identifié : Mobilité (le 04/05/2026).",
        "Questionnaire FSE d'entrée modifié (entrée du 04/05/2026) : Q2. Niveau de formation, "
        "Q3. Reconnaissance officielle d'un handicap (RQTH, BOETH…).",
        "Dossier modifié : Commune, Téléphone mobile.",
        "Questionnaire FSE d'entrée commencé (entrée du 04/05/2026).",
        "Dossier créé.",
    ]
    assert [event.when.astimezone(PARIS).hour for event in events] == [15, 15, 14, 13, 13, 12, 11, 10, 9]
    assert events[-1].author == world.referent_a.get_full_name()
    assert events[-3].author == world.animateur_a.get_full_name()
    assert [event.kind for event in events][-3:] == ["dossier", "questionnaire", "dossier"]
    assert events[0].author == world.referent_a.get_full_name()  # the uploader


def test_sensitive_facts_are_hidden_from_who_may_not_see_them(world, story):
    for user in (world.gestionnaire_a, world.direction_a, world.admin_a):
        shown = " ".join(texts(timeline.timeline(story, scope=scope_for(user))))
        assert "Santé" not in shown
        assert "RQTH" not in shown.replace("(RQTH, BOETH…)", "")  # the question's name, never the answer
        assert "Mobilité" in shown


def test_a_deleted_document_stays_in_the_timeline(world, story, time_machine):
    time_machine.move_to(at(2, 9), tick=False)
    document = story.documents.get(nom_original="cni.pdf")
    document_delete(scope=scope_for(world.referent_a), document=document)
    latest = timeline.timeline(story, scope=scope_for(world.referent_a))[0]
    assert latest.text == "Document supprimé : Pièce d'identité / titre de séjour — cni.pdf."
    # document_delete is called here outside a request: the history has no author


def test_one_query_per_source(world, story, django_assert_num_queries):
    user = world.referent_a
    user._plie_scope = None  # computed again below: one query for the memberships
    from plie.core.scoping import scope_for

    scope_for(user)
    # one query per registered source: here the participant's history, its situations, its freins,
    # its documents, and the parcours app's sources (entretiens, étapes, exits…)
    assert len(registry.timeline_sources()) >= 4
    with django_assert_num_queries(len(registry.timeline_sources())):
        timeline.timeline(story, scope=scope_for(user))


def test_the_limit(world, story):
    assert len(timeline.timeline(story, scope=scope_for(world.referent_a), limit=3)) == 3


def test_other_apps_add_their_sources(world, story):
    def entretiens(participant, user):
        yield Event(at(20, 9), "Référente", "Entretien individuel.", "entretien")

    registry.register_timeline_source(entretiens)
    assert registry.register_timeline_source(entretiens) is entretiens  # registering twice keeps one
    try:
        events = timeline.timeline(story, scope=scope_for(world.referent_a))
    finally:
        registry.TIMELINE_SOURCES.unregister(entretiens)
    assert events[0].text == "Entretien individuel."
    assert sum(event.kind == "entretien" for event in events) == 1


def test_a_dossier_without_history(world):
    from tests.factories import ParticipantFactory

    participant = ParticipantFactory(plie=world.plie_a)
    (created,) = timeline.timeline(participant, scope=scope_for(world.referent_a))
    assert (created.text, created.author) == ("Dossier créé.", "")
