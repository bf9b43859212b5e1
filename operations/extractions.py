"""The extraction of the entretiens (suivis) held for an operation over a period: the proof of the
follow-up an FSE controller asks for, per référent.

One line per entretien of a participant enrolled in the operation on the entretien's date:
référent, participant, date, mode, durée, sujets — never the notes (data minimisation). Lines are
sorted by référent (who held the entretien), then date and participant, and each référent's group
ends with its totals (entretiens, participants, minutes). One query, read with an iterator; the CSV
is streamed line by line."""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q

from operations.models import Inscription
from parcours.enums import ModeEntretien, SujetEntretien
from parcours.models import Entretien
from plie.core.dates import format_date
from plie.core.scoping import scope_for

ENTETES = ("Référent", "Participant", "Date", "Mode", "Durée (minutes)", "Sujets")
SANS_REFERENT = "Référent non renseigné"
MODES = dict(ModeEntretien.choices)
SUJETS = dict(SujetEntretien.choices)
CHUNK_SIZE = 2000


def entretiens_queryset(operation, user, du=None, au=None):
    """The entretiens of the operation's participants that ``user`` may see, held while the
    participant was enrolled in it and within ``[du, au]``, as plain values in extraction order."""
    inscrits = Inscription.objects.filter(
        operation=operation,
        participant_id=OuterRef("parcours__participant_id"),
        date_entree__lte=OuterRef("date"),
    ).filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=OuterRef("date")))
    queryset = Entretien.objects.filter(
        parcours__participant__plie_id__in=scope_for(user).personal_plie_ids,
        parcours__participant__plie_id=operation.plie_id,
    ).filter(Exists(inscrits))
    if du is not None:
        queryset = queryset.filter(date__gte=du)
    if au is not None:
        queryset = queryset.filter(date__lte=au)
    return queryset.order_by(
        F("referent__last_name").asc(nulls_last=True),
        F("referent__first_name").asc(nulls_last=True),
        F("referent_id").asc(nulls_last=True),
        "date",
        "parcours__participant__nom",
        "parcours__participant__prenom",
        "pk",
    ).values_list(
        "referent_id",
        "referent__first_name",
        "referent__last_name",
        "referent__email",
        "parcours__participant_id",
        "parcours__participant__nom",
        "parcours__participant__prenom",
        "date",
        "mode",
        "duree_minutes",
        "sujets",
    )


@dataclass
class Groupe:
    """One référent's entretiens and totals."""

    referent: str
    lignes: list = field(default_factory=list)  # kept only when asked (the PDF)
    participants: set = field(default_factory=set)
    nb_entretiens: int = 0
    minutes: int = 0

    @property
    def nb_participants(self):
        return len(self.participants)

    def total(self):
        return (
            f"Total {self.referent}",
            f"{self.nb_participants} participant{'s' if self.nb_participants > 1 else ''}",
            f"{self.nb_entretiens} entretien{'s' if self.nb_entretiens > 1 else ''}",
            "",
            self.minutes,
            "",
        )


def _referent_name(first_name, last_name, email):
    if first_name is None and last_name is None and email is None:
        return SANS_REFERENT
    name = f"{(last_name or '').upper()} {first_name or ''}".strip()
    return name or email


def _sujets(values):
    return ", ".join(SUJETS.get(value, value) for value in values or [])


def lignes(operation, user, du=None, au=None, *, keep=False):
    """Yields ``("ligne", row)`` per entretien and ``("total", Groupe)`` after each référent's
    last one; a row is ``(référent, participant, date, mode, durée, sujets)`` with the date a
    ``datetime.date`` and the duration in minutes (or ``None``). ``keep`` also keeps each
    group's rows in ``Groupe.lignes`` (else only the totals are kept: the CSV streams)."""
    groupe = None
    current = object()
    rows = entretiens_queryset(operation, user, du, au).iterator(chunk_size=CHUNK_SIZE)
    for referent_id, first, last, email, participant_id, nom, prenom, date, mode, duree, sujets in rows:
        if referent_id != current:
            if groupe is not None:
                yield "total", groupe
            current = referent_id
            groupe = Groupe(_referent_name(first, last, email))
        row = (
            groupe.referent,
            f"{nom.upper()} {prenom}",
            date,
            MODES.get(mode, mode),
            duree,
            _sujets(sujets),
        )
        if keep:
            groupe.lignes.append(row)
        groupe.nb_entretiens += 1
        groupe.participants.add(participant_id)
        groupe.minutes += duree or 0
        yield "ligne", row
    if groupe is not None:
        yield "total", groupe


def groupes(operation, user, du=None, au=None):
    """The référents' groups, each with its lines (for the PDF and the XLSX)."""
    return [item for kind, item in lignes(operation, user, du, au, keep=True) if kind == "total"]


def _csv_cell(value):
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return format_date(value)
    return value


class _Echo:
    def write(self, value):
        return value


def csv_stream(operation, user, du=None, au=None):
    """The CSV as a generator of encoded lines: UTF-8 with a BOM, « ; » separated, a header line,
    then the entretiens with a total line closing each référent's group."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode()
    yield writer.writerow(ENTETES).encode()
    for kind, item in lignes(operation, user, du, au):
        if kind == "ligne":
            yield writer.writerow([_csv_cell(value) for value in item]).encode()
        else:
            yield writer.writerow(item.total()).encode()


def export_xlsx(operation, user, du=None, au=None):
    """One sheet: headers in bold and frozen, dates as dates, a bold total line per référent."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Entretiens"
    workbook.properties.title = f"Entretiens — {operation.code}"
    sheet.append(list(ENTETES))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(entete) for entete in ENTETES]
    bold = Font(bold=True)
    # Row numbers counted here: ``sheet.max_row`` scans every cell (quadratic on 20,000 lines).
    for number, (kind, item) in enumerate(lignes(operation, user, du, au), start=2):
        row = list(item) if kind == "ligne" else list(item.total())
        sheet.append(row)
        if kind == "ligne":
            sheet.cell(row=number, column=3).number_format = "DD/MM/YYYY"
        else:
            for column in range(1, len(row) + 1):
                sheet.cell(row=number, column=column).font = bold
        for index, value in enumerate(row):
            if index != 2:
                widths[index] = max(widths[index], len(str(value or "")))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(operation, du, au, extension):
    periode = "-".join(f"{day:%Y%m%d}" for day in (du, au) if day)
    return f"entretiens-{operation.code}{'-' + periode if periode else ''}.{extension}"
