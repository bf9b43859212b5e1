"""The participant file for Ma Démarche FSE's mass integration (« Intégration en masse des participants »).

Source: *Documentation technique — Indicateurs — Suivi des participants — Intégration en masse des
participants*, version 2.0 (created 02/12/2014, updated 24/03/2015; stored copy
docplayer.fr/13145830). Only the document's control page and table of contents could be recovered:

- « Principes de l'intégration »: one file per operation; participants may be **created or updated** by
  import (v2.0 revision note), hence a stable participant identifier (column 2);
- « Règles à respecter »: answers come by **blocks of questions** (identity, contact, entry situation,
  exit situation: a block is either complete or absent) and the **address / postal code / commune**
  rule (a homeless person may give a contact instead of an address; the postal code must match the
  commune) — enforced by :mod:`operations.mdfse_validation`;
- « Exigences techniques — Fichiers en entrée / Format attendu »: CSV files (zipped CSV accepted);
- « Fichier d'erreur » and the FAQ: the platform answers with an error file per line and column; its
  FAQ warns that Excel breaks **dates, phone numbers and postal codes** (leading zeros dropped), that
  phones must be **10 digits**, and that the **postal code / commune association** must exist.

The exact column names and answer codes of the platform were not recoverable. This layout is the
closest faithful one: the questionnaire's own codes (DGEFP entry questionnaire, version
26/11/2018, docs/domaine.md §6 / seed 004 l.8084-8150: ``1a``…``1d`` for Q1, ``2a``…``2d`` for
Q2), ``O``/``N`` for yes/no, ``NSP`` for « ne souhaite pas répondre », dates ``jj/mm/aaaa``,
phones as 10 digits without spaces,
UTF-8 **without BOM**, ``;`` as separator, one header row, lines ended by CRLF (the line ending of
the « CSV (séparateur : point-virgule) » files the FAQ has users produce with Excel). Each column's
source is given in :data:`COLONNES`.

Rows: one per enrolment (one participant = one operation, docs/domaine.md §6 / seed 004 l.8016-8018) present
in the period (entered on or before its end, not left before its start), built from ONE ``values()``
query and streamed."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from operations.models import Inscription
from participants.normalize import digits
from plie.core import dates
from plie.core.scoping import masked_answer
from plie.core.writers import CsvWriter, XlsxWriter

SEPARATEUR = ";"
FIN_DE_LIGNE = "\r\n"


@dataclass(frozen=True)
class Colonne:
    entete: str
    source: str  # where the column comes from (documentation section or docs/domaine.md / seed line)


# The file's column order. Blocks: identity, contact, entry, entry questionnaire, exit.
COLONNES = (
    Colonne(
        "Numero operation",
        "n° MDFSE de l'opération (« Principes de l'intégration »: un fichier par opération)",
    ),
    Colonne(
        "Identifiant participant", "mise à jour par import (révision v2.0): identifiant stable du dossier"
    ),
    Colonne("Nom", "bloc identité (docs/domaine.md §6, seed 004 l.8084-8090)"),
    Colonne("Prenom", "bloc identité"),
    Colonne("Sexe", "bloc identité: F (femme) / H (homme)"),
    Colonne("Date de naissance", "bloc identité, jj/mm/aaaa (FAQ: dates)"),
    Colonne(
        "Code commune de naissance",
        "bloc identité: code INSEE, 99999 si né à l'étranger (docs/domaine.md §6)",
    ),
    Colonne(
        "Nationalite",
        "bloc identité: FR (française), UE (autre pays de l'Union), HORS_UE (pays tiers, indicateur "
        "FSE+ EECO13); obligatoire (docs/domaine.md §4, §6)",
    ),
    Colonne("Adresse", "bloc coordonnées, règle « Adresse / Code postal / Commune »"),
    Colonne("Code postal", "règle « Adresse / Code postal / Commune », 5 chiffres (FAQ: code postal)"),
    Colonne("Commune", "règle « Adresse / Code postal / Commune »"),
    Colonne("Telephone fixe", "bloc coordonnées, 10 chiffres (FAQ: format du numéro de téléphone)"),
    Colonne("Telephone portable", "bloc coordonnées, 10 chiffres (FAQ: format du numéro de téléphone)"),
    Colonne("Courriel", "bloc coordonnées"),
    Colonne("Contact", "personne à contacter d'une personne sans domicile (règle « Adresse »)"),
    Colonne(
        "Date entree operation", "date d'entrée, pas après la date du questionnaire (docs/domaine.md §6)"
    ),
    Colonne("Date questionnaire", "date de réponse au questionnaire d'entrée (docs/domaine.md §6)"),
    Colonne("Q1 Emploi", "Q1: 1a/1b/1c/1d, N si sans emploi (questionnaire DGEFP 26/11/2018)"),
    Colonne("Q1e Formation", "1e, seulement si sans emploi: O/N"),
    Colonne("Q1f Recherche emploi", "1f, seulement si sans emploi: O/N"),
    Colonne("Q1g Duree recherche mois", "1g, seulement si 1f = O: nombre de mois"),
    Colonne("Q2 Niveau formation", "Q2: 2a/2b/2c/2d (CITE)"),
    Colonne("Q3 Handicap", "Q3: O/N"),
    Colonne("Q4 Minima sociaux", "Q4: O/N"),
    Colonne("Q4 dont RSA", "Q4, précision RSA: O/N"),
    Colonne("Q5 Sans domicile", "Q5: O/N/NSP"),
    Colonne("Q6 Parent ne a l'etranger", "Q6: O/N/NSP"),
    Colonne("Menage sans emploi", "ménage (docs/domaine.md §6, seed 004 l.7960-7965, l.8020-8030): O/N"),
    Colonne("Menage avec enfants", "ménage: O/N"),
    Colonne("Menage monoparental", "ménage: O/N"),
    Colonne("Date sortie operation", "bloc sortie: date de sortie de l'opération"),
    Colonne("Sortie anticipee", "bloc sortie: abandon O/N"),
    Colonne("Sortie emploi", "bloc sortie: 1a/1b/1c/1d, N (seed 004 l.7930-7945)"),
    Colonne("Sortie formation", "bloc sortie: en formation, stage ou études O/N"),
    Colonne("Sortie recherche emploi", "bloc sortie: recherche activement un emploi O/N"),
    Colonne("Sortie qualification", "bloc sortie: qualification obtenue O/N"),
    Colonne("Date donnees sortie", "bloc sortie: date de recueil, dans les 4 semaines (docs/domaine.md §6)"),
)
ENTETES = tuple(colonne.entete for colonne in COLONNES)
COLONNE_Q3 = ENTETES.index("Q3 Handicap")
BLOC_SORTIE = ENTETES[ENTETES.index("Sortie anticipee") :]

# The single ``values()`` query: participant fields through the join, enrolment fields as they are.
CHAMPS = (
    "id",
    "participant_id",
    "participant__nom",
    "participant__prenom",
    "participant__sexe",
    "participant__date_naissance",
    "participant__code_commune_naissance",
    "participant__nationalite",
    "participant__adresse",
    "participant__code_postal",
    "participant__commune",
    "participant__telephone_fixe",
    "participant__telephone",
    "participant__email",
    "participant__contact_tiers",
    "date_entree",
    "date_questionnaire",
    *Inscription.answer_fields(),
    "date_sortie",
    "sortie_anticipee",
    "sortie_statut_emploi",
    "sortie_en_formation",
    "sortie_recherche_emploi",
    "sortie_qualification",
    "sortie_renseignee_le",
)

SEXES = {"F": "F", "M": "H"}
NATIONALITES = {"fr": "FR", "ue": "UE", "hors_ue": "HORS_UE"}
OUI_NON_NSP = {"oui": "O", "non": "N", "nsp": "NSP"}


def periode(operation, du=None, au=None):
    """The export period: the operation's own unless narrowed."""
    return du or operation.date_debut, au or operation.date_fin


def inscriptions(operation, scope, du=None, au=None):
    """The enrolments of ``operation`` that ``scope`` may see and that are present in the period."""
    du, au = periode(operation, du, au)
    return (
        Inscription.objects.visible_to(scope)
        .filter(operation=operation, date_entree__lte=au)
        .filter(Q(date_sortie__isnull=True) | Q(date_sortie__gte=du))
        .order_by("participant__nom", "participant__prenom", "participant_id", "date_entree", "id")
    )


def enregistrements(operation, scope, du=None, au=None):
    """The raw rows (dicts of :data:`CHAMPS`), streamed from one query."""
    return inscriptions(operation, scope, du, au).values(*CHAMPS).iterator(chunk_size=2000)


def _date(value):
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}" if value else ""


def _bool(value):
    return "" if value is None else ("O" if value else "N")


def _emploi(value):
    if not value:
        return ""
    return "N" if value == "non" else value


def telephone(value):
    """A phone as the platform wants it: its digits only, French ``+33`` numbers brought back to
    10 digits (FAQ « format du numéro de téléphone »)."""
    number = digits(value)
    if value and value.strip().startswith("+33") or number.startswith("0033"):
        number = "0" + number[4 if number.startswith("0033") else 2 :].lstrip("0")
    return number


def _texte(value):
    """Free text on one line, without the separator (the platform's file has no quoting rules)."""
    return " ".join((value or "").replace(SEPARATEUR, ",").split())


def cellules(row, operation, au):
    """One enrolment's cells, in the order of :data:`COLONNES`. The exit block is written only
    when the participant left the operation within the period."""
    sorti = row["date_sortie"] is not None and row["date_sortie"] <= au
    sans_emploi = row["statut_emploi"] == "non"
    cells = [
        _texte(operation.numero_mdfse or operation.code),
        str(row["participant_id"]),
        _texte(row["participant__nom"]).upper(),
        _texte(row["participant__prenom"]),
        SEXES.get(row["participant__sexe"], row["participant__sexe"] or ""),
        dates.format_date(row["participant__date_naissance"]),
        row["participant__code_commune_naissance"] or "",
        NATIONALITES.get(row["participant__nationalite"], ""),
        _texte(row["participant__adresse"]),
        row["participant__code_postal"] or "",
        _texte(row["participant__commune"]),
        telephone(row["participant__telephone_fixe"]),
        telephone(row["participant__telephone"]),
        _texte(row["participant__email"]),
        _texte(row["participant__contact_tiers"]),
        dates.format_date(row["date_entree"]),
        dates.format_date(row["date_questionnaire"]),
        _emploi(row["statut_emploi"]),
        # 1e-1g only for a person without a job, 1g only for one seeking (the questionnaire's flow)
        _bool(row["en_formation"]) if sans_emploi else "",
        _bool(row["recherche_emploi"]) if sans_emploi else "",
        str(row["duree_recherche_mois"])
        if sans_emploi and row["recherche_emploi"] and row["duree_recherche_mois"] is not None
        else "",
        row["niveau_formation"] or "",
        _bool(row["handicap_reconnu"]),
        _bool(row["minima_sociaux"]),
        _bool(row["beneficiaire_rsa"]),
        OUI_NON_NSP.get(row["sans_domicile"], ""),
        OUI_NON_NSP.get(row["parent_ne_etranger"], ""),
        _bool(row["menage_sans_emploi"]),
        _bool(row["menage_enfants"]),
        _bool(row["menage_monoparental"]),
    ]
    if sorti:
        cells += [
            dates.format_date(row["date_sortie"]),
            _bool(row["sortie_anticipee"]),
            _emploi(row["sortie_statut_emploi"]),
            _bool(row["sortie_en_formation"]),
            _bool(row["sortie_recherche_emploi"]),
            _bool(row["sortie_qualification"]),
            dates.format_date(row["sortie_renseignee_le"]),
        ]
    else:
        cells += [""] * (len(COLONNES) - len(cells))
    return cells


def lignes(operation, scope, du=None, au=None):
    """``(inscription id, cells)`` per enrolment, streamed."""
    _du, au = periode(operation, du, au)
    for row in enregistrements(operation, scope, du, au):
        yield row["id"], cellules(row, operation, au)


def export_csv(operation, scope, du=None, au=None):
    """The file as a stream of text lines: the header, then one line per enrolment (cells joined
    without quoting, texts neutralised by :class:`plie.core.writers.CsvWriter`)."""
    writer = CsvWriter(delimiter=SEPARATEUR, lineterminator=FIN_DE_LIGNE, quoting=False)
    yield writer.line(ENTETES)
    for _pk, cells in lignes(operation, scope, du, au):
        yield writer.line(cells)


def nom_fichier(operation, extension, du=None, au=None):
    du, au = periode(operation, du, au)
    code = "".join(c if c.isalnum() or c in "-_" else "-" for c in operation.code)
    return f"mdfse-{code}-{du:%Y%m%d}-{au:%Y%m%d}.{extension}"


COLONNES_DATES = frozenset(index for index, entete in enumerate(ENTETES) if entete.startswith("Date "))
LARGEUR_MAX = 40


def export_xlsx(operation, scope, du=None, au=None):
    """The same rows as an XLSX workbook for humans (header styled and frozen, dates as dates,
    column widths fitted), plus a « Colonnes » sheet giving each column's meaning and source."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    rows = [cells for _pk, cells in lignes(operation, scope, du, au)]
    if not scope.sees_sensitive_data(operation.plie_id):  # Q3: plie.core.scoping's rule
        for row in rows:
            row[COLONNE_Q3] = masked_answer(row[COLONNE_Q3] or None)
    writer = XlsxWriter(write_only=True)
    sheet = writer.sheet("Participants")
    for index, entete in enumerate(ENTETES):
        longest = max([len(entete), *(len(row[index]) for row in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest + 2, 8), LARGEUR_MAX)
    sheet.freeze_panes = "C2"
    writer.append(
        sheet,
        ENTETES,
        font=Font(bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor="1D3F72"),
        alignment=Alignment(wrap_text=True, vertical="top"),
    )
    for row in rows:
        values = list(row)
        for index in COLONNES_DATES:
            values[index] = dates.parse_date(values[index], strict=True)
        for index, value in enumerate(values):
            if isinstance(value, datetime.date):
                values[index] = writer.cell(sheet, value, number_format="DD/MM/YYYY")
            elif value == "":
                values[index] = None
        writer.append(sheet, values)

    legende = writer.sheet("Colonnes")
    legende.column_dimensions["A"].width = 28
    legende.column_dimensions["B"].width = 100
    writer.append(legende, ("Colonne", "Contenu et source"))
    for colonne in COLONNES:
        writer.append(legende, [colonne.entete, colonne.source])
    return writer.content()
