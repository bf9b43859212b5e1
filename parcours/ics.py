"""The next appointment as an iCalendar file (RFC 5545), for the référent's own calendar.

One ``VCALENDAR`` with one ``VEVENT``: a stable ``UID`` (the same appointment exported twice
updates the calendar entry instead of duplicating it), ``DTSTAMP``, ``DTSTART`` / ``DTEND`` in
UTC (no ``VTIMEZONE`` needed), a ``SUMMARY`` that names nobody (the event lands in calendar
services outside the PLIE: no name there, the link leads back to the dossier).
Lines end with CRLF and are folded at 75 octets (§3.1), text values escaped (§3.3.11)."""

import datetime

from django.utils import timezone

PRODID = "-//PLIE//Suivi des parcours//FR"
DUREE_RDV = datetime.timedelta(hours=1)
LINE_OCTETS = 75


def escape_text(value):
    """TEXT value escaping: backslash, semicolon, comma, newline (RFC 5545 §3.3.11)."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """Split a content line into chunks of at most 75 octets (UTF-8), never inside a
    character; continuation lines start with one space (RFC 5545 §3.1)."""
    chunks, current, size, limit = [], "", 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            chunks.append(current)
            current, size, limit = "", 0, LINE_OCTETS - 1  # the leading space counts
        current += char
        size += octets
    chunks.append(current)
    return "\r\n ".join(chunks)


def utc(value):
    """A DATE-TIME in UTC form: ``20260626T120000Z``."""
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def rdv_calendar(*, uid, start, summary, description="", url="", now=None, duration=DUREE_RDV):
    """The iCalendar text of one appointment (``start`` aware)."""
    now = now or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(start)}",
        f"DTEND:{utc(start + duration)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return "".join(f"{fold(line)}\r\n" for line in lines)


def entretien_calendar(entretien, *, host, url="", now=None):
    """The next appointment planned at ``entretien`` (which must have one)."""
    return rdv_calendar(
        uid=f"plie-rdv-entretien-{entretien.pk}@{host}",
        start=entretien.prochain_rdv,
        summary=f"Rendez-vous PLIE — dossier n° {entretien.parcours.participant_id}",
        description="Rendez-vous de suivi du parcours PLIE.",
        url=url,
        now=now,
    )
