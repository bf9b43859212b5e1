"""The next appointment as .ics: read back with a tiny RFC 5545 parser (unfold, split, check)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from parcours import ics
from parcours.models import Entretien
from tests.factories import ParticipantFactory
from tests.parcours.factories import EntretienFactory, ParcoursFactory

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


def unfold(body):
    """RFC 5545 §3.1: every line ends with CRLF, no line is longer than 75 octets, a line that
    starts with a space continues the previous one. Returns the logical lines."""
    assert body.endswith("\r\n")
    physical = body[:-2].split("\r\n")
    for line in physical:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
    logical = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def parse(body):
    """``[(name, params, value)]`` of the content lines (§3.1: name *(";" param) ":" value)."""
    rows = []
    for line in unfold(body):
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        rows.append((name, params, value))
    return rows


def unescape(value):
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


@pytest.fixture
def entretien(world):
    participant = ParticipantFactory(
        plie=world.plie_a, nom="De La Fontaine-Saint-Exupéry", prenom="Marie-Hélène Françoise Léonie"
    )
    parcours = ParcoursFactory(participant=participant, en_parcours=True, referent=world.referent_a)
    return EntretienFactory(
        parcours=parcours,
        date=datetime.date(2026, 6, 12),
        notes="Santé fragile : confidentiel",
        prochain_rdv=datetime.datetime(2026, 6, 26, 14, 30, tzinfo=PARIS),
    )


def test_the_calendar_reads_back(client, world, entretien):
    client.force_login(world.referent_a)
    response = client.get(reverse("parcours:entretien_ics", args=[entretien.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rendez-vous-2026-06-26.ics"'
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode("utf-8")
    rows = parse(body)
    names = [name for name, _params, _value in rows]
    assert names[:2] == ["BEGIN", "VERSION"]
    assert [value for name, _p, value in rows if name in ("BEGIN", "END")] == [
        "VCALENDAR",
        "VEVENT",
        "VEVENT",
        "VCALENDAR",
    ]
    props = {name: value for name, _params, value in rows}
    assert props["VERSION"] == "2.0"
    assert props["PRODID"]
    assert props["UID"] == f"plie-rdv-entretien-{entretien.pk}@testserver"
    assert props["DTSTAMP"] == "20260615T080000Z"
    assert props["DTSTART"] == "20260626T123000Z"  # 14:30 in Paris, summer time
    assert props["DTEND"] == "20260626T133000Z"
    summary = unescape(props["SUMMARY"])
    # no name in a calendar service outside the PLIE: the dossier number only
    assert summary == f"Rendez-vous PLIE — dossier n° {entretien.parcours.participant_id}"
    assert "FONTAINE" not in body.upper().replace("\r\n ", "")
    assert "Marie" not in body.replace("\r\n ", "")
    assert props["URL"] == f"http://testserver/parcours/{entretien.parcours_id}/"
    # nothing sensitive: neither the notes nor anything else about the person
    assert "Santé" not in body
    assert "confidentiel" not in body


def test_the_same_appointment_keeps_its_uid(client, world, entretien):
    client.force_login(world.referent_a)
    first = client.get(reverse("parcours:entretien_ics", args=[entretien.pk])).content
    second = client.get(reverse("parcours:entretien_ics", args=[entretien.pk])).content
    assert first == second


def test_no_appointment_is_a_404(client, world, entretien):
    Entretien.objects.filter(pk=entretien.pk).update(prochain_rdv=None)
    client.force_login(world.referent_a)
    assert client.get(reverse("parcours:entretien_ics", args=[entretien.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("gestionnaire_a", 200),
        ("animateur_a", 200),
        ("referent_b", 404),
        ("financeur", 404),
        ("no_role", 404),
    ],
)
def test_scoping(client, world, entretien, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("parcours:entretien_ics", args=[entretien.pk])).status_code == status


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("Simple", "Simple"),
        ("a,b;c\\d", "a\\,b\\;c\\\\d"),
        ("ligne 1\nligne 2\r\nligne 3", "ligne 1\\nligne 2\\nligne 3"),
    ],
)
def test_escape_text(value, escaped):
    assert ics.escape_text(value) == escaped
    assert unescape(escaped) == value.replace("\r\n", "\n")


@pytest.mark.parametrize("length", [10, 74, 75, 76, 150, 300])
@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_fold_never_splits_a_character_nor_exceeds_75_octets(length, char):
    line = "SUMMARY:" + char * length
    folded = ics.fold(line)
    chunks = folded.split("\r\n")
    assert all(len(chunk.encode("utf-8")) <= 75 for chunk in chunks)
    assert all(chunk.startswith(" ") for chunk in chunks[1:])
    assert chunks[0] + "".join(chunk[1:] for chunk in chunks[1:]) == line
    if len(line.encode("utf-8")) <= 75:
        assert folded == line


def test_rdv_calendar_in_utc_whatever_the_season():
    winter = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=PARIS)
    body = ics.rdv_calendar(uid="x@y", start=winter, summary="RDV", now=NOW)
    props = {name: value for name, _params, value in parse(body)}
    assert props["DTSTART"] == "20261203T080000Z"
    assert "DESCRIPTION" not in props
