"""Reading the file as a stream of rows, memory flat whatever its size.

CSV: the encoding is UTF-8 (with or without BOM) when the whole file decodes as such, else
Windows-1252 (what Excel writes on a French Windows); the separator is the one of ``;`` and ``,``
the header line contains most. XLSX: the first sheet, read with openpyxl in read-only mode.

:func:`lire` yields ``(line, {column: value})`` with ``line`` the line number a user sees in
their spreadsheet (the header is line 1). File-level problems raise :class:`FichierInvalide`
with the French reasons (several at once for the header)."""

import codecs
import csv
import datetime
import io
import zipfile
from pathlib import PurePath

from django.conf import settings

COLONNES_OBLIGATOIRES = (
    "identifiant",
    "nom",
    "prenom",
    "sexe",
    "date_naissance",
    "date_entree",
    "date_sortie",
    "type_sortie",
)
COLONNES_FACULTATIVES = (
    "code_postal",
    "referent_email",
    "prescripteur",
    "niveau_formation",
    "brsa",
    "deld",
    "th",
    "qpv",
)
COLONNES = COLONNES_OBLIGATOIRES + COLONNES_FACULTATIVES
CHUNK = 1 << 20


XLSX_MAX_MEMBERS = 1000  # a workbook of one sheet has about ten parts
XLSX_RATIO_FROM = 1 << 20  # the compression ratio is checked on parts larger than 1 Mio


class FichierInvalide(Exception):
    """The file cannot be read as a table of parcours; ``erreurs`` are French messages, ``ligne``
    the line they are about when there is one."""

    def __init__(self, erreurs, ligne=None):
        self.erreurs = [erreurs] if isinstance(erreurs, str) else list(erreurs)
        self.ligne = ligne
        super().__init__("; ".join(self.erreurs))


def format_of(filename):
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise FichierInvalide(
        f"Format de fichier non pris en charge ({suffix or 'sans extension'}) : "
        "déposez un fichier CSV ou XLSX."
    )


def detect_encoding(binary):
    """``"utf-8-sig"`` if every byte of ``binary`` (a seekable binary file) decodes as UTF-8,
    else ``"cp1252"`` if it decodes as Windows-1252; rewinds the file. Reads it by chunks."""
    for encoding in ("utf-8-sig", "cp1252"):
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(CHUNK):
                if b"\x00" in chunk:
                    raise UnicodeDecodeError(encoding, chunk, 0, 1, "octet nul")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(0)
        return encoding
    raise FichierInvalide(
        "Encodage illisible : enregistrez le fichier en CSV UTF-8 ou Windows-1252 (« CSV (séparateur : "
        "point-virgule) » dans Excel)."
    )


def _normalise_header(cells):
    return [str(cell or "").strip().lstrip("\ufeff").strip().lower() for cell in cells]


def check_header(header):
    """The French reasons why ``header`` is not a usable header (``[]`` when fine)."""
    erreurs = []
    if not any(header):
        return ["Le fichier est vide : aucune ligne d'en-tête."]
    for name in COLONNES_OBLIGATOIRES:
        if name not in header:
            erreurs.append(f"Colonne obligatoire manquante : « {name} ».")
    for name in header:
        if name and name not in COLONNES:
            erreurs.append(f"Colonne inconnue : « {name} » (colonnes attendues : {', '.join(COLONNES)}).")
    seen = set()
    for name in header:
        if name and name in seen:
            erreurs.append(f"Colonne en double : « {name} ».")
        seen.add(name)
    if "" in header:
        erreurs.append("Une colonne de l'en-tête n'a pas de nom.")
    return erreurs


def _rows_from(header, records):
    erreurs = check_header(header)
    if erreurs:
        raise FichierInvalide(erreurs)
    empty = True
    for line, cells in records:
        if not any(str(c).strip() for c in cells if c is not None):
            continue  # blank lines are skipped
        empty = False
        row = dict.fromkeys(COLONNES, "")
        for name, value in zip(header, cells, strict=False):
            row[name] = value if value is not None else ""
        row["_extra"] = len(cells) > len(header) and any(str(c).strip() for c in cells[len(header) :] if c)
        yield line, row
    if empty:
        raise FichierInvalide("Le fichier ne contient aucune ligne de parcours sous l'en-tête.")


def _csv_error(exc, line, limit):
    """The French message for the csv module's ``exc`` at ``line``."""
    if "field larger than field limit" in str(exc):
        shown = f"{limit:,}".replace(",", "\u202f")
        return FichierInvalide(
            f"Ligne {line} : une valeur dépasse {shown} caractères (limite de l'import, réglage "
            "IMPORT_CSV_FIELD_MAX) : vérifiez le séparateur et les guillemets de cette ligne (un "
            "guillemet non fermé englobe la suite du fichier).",
            ligne=line,
        )
    return FichierInvalide(
        f"Ligne {line} : ligne CSV mal formée (guillemets ou retours à la ligne) : corrigez-la.",
        ligne=line,
    )


def lire_csv(binary):
    """The rows of a CSV; a value longer than ``settings.IMPORT_CSV_FIELD_MAX`` characters (and a
    header line longer than that) is refused with the number of its line."""
    limit = settings.IMPORT_CSV_FIELD_MAX
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    previous_limit = csv.field_size_limit(limit)  # process-wide: restored when the file is read
    try:
        first = text.readline(limit + 2)
        if not first.strip():
            raise FichierInvalide("Le fichier est vide : aucune ligne d'en-tête.")
        if len(first) > limit and not first.endswith("\n"):
            raise _csv_error(csv.Error("field larger than field limit"), 1, limit)
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = _normalise_header(next(csv.reader([first], delimiter=delimiter)))
        except csv.Error as exc:
            raise _csv_error(exc, 1, limit) from None
        while header and header[-1] == "":  # Excel's trailing separators
            header.pop()

        def records():
            previous = 0  # a quoted value may span lines: a row starts after the previous one
            while True:
                try:
                    cells = next(reader, None)
                except csv.Error as exc:
                    raise _csv_error(exc, previous + 2, limit) from None
                if cells is None:
                    return
                yield previous + 2, cells
                previous = reader.line_num

        yield from _rows_from(header, records())
    finally:
        csv.field_size_limit(previous_limit)
        text.detach()


def check_xlsx_size(binary):
    """Refuse, before it is parsed, an XLSX whose parts would inflate beyond
    ``settings.IMPORT_XLSX_MAX_UNCOMPRESSED`` bytes in all, or one of whose large parts is
    compressed more than ``settings.IMPORT_XLSX_MAX_RATIO`` times (a « zip bomb »). Reads only
    the zip's central directory; the sizes it declares are the ones enforced when the parts are
    read (``zipfile`` stops at the declared size, then checks the CRC). Rewinds the file."""
    cap, ratio = settings.IMPORT_XLSX_MAX_UNCOMPRESSED, settings.IMPORT_XLSX_MAX_RATIO
    binary.seek(0)
    try:
        with zipfile.ZipFile(binary) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FichierInvalide(
            "Le fichier XLSX est illisible (fichier endommagé ou d'un autre format)."
        ) from exc
    finally:
        binary.seek(0)
    if len(members) > XLSX_MAX_MEMBERS:
        raise FichierInvalide(
            f"Le fichier XLSX contient {len(members)} parties (au plus {XLSX_MAX_MEMBERS} attendues) : "
            "il n'est pas lu. Enregistrez-le à nouveau depuis le tableur, ou en CSV."
        )
    total = sum(member.file_size for member in members)
    if total > cap:
        raise FichierInvalide(
            f"Le fichier XLSX se décompresse en {_mo(total)}, au-delà de la limite de {_mo(cap)} "
            "(réglage IMPORT_XLSX_MAX_UNCOMPRESSED) : il n'est pas lu. Découpez-le ou enregistrez-le en CSV."
        )
    for member in members:
        if member.file_size > XLSX_RATIO_FROM and member.file_size > ratio * max(member.compress_size, 1):
            raise FichierInvalide(
                f"Le fichier XLSX est anormalement compressé (sa partie « {member.filename} » se "
                f"décompresse {member.file_size // max(member.compress_size, 1)} fois, au plus {ratio} "
                "admis, réglage IMPORT_XLSX_MAX_RATIO) : il n'est pas lu. Enregistrez-le à nouveau "
                "depuis le tableur, ou en CSV."
            )


def _mo(size):
    return f"{size / (1 << 20):.0f} Mo"


def lire_xlsx(binary):
    from openpyxl import load_workbook

    check_xlsx_size(binary)
    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FichierInvalide(
            "Le fichier XLSX est illisible (fichier endommagé ou d'un autre format)."
        ) from exc
    try:
        if not workbook.worksheets:
            raise FichierInvalide("Le classeur XLSX ne contient aucune feuille.")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise FichierInvalide("Le fichier est vide : aucune ligne d'en-tête.")
        header = _normalise_header(first)
        while header and header[-1] == "":
            header.pop()

        def records():
            for line, cells in enumerate(rows, start=2):
                yield line, [_cell_text(c) for c in cells]

        yield from _rows_from(header, records())
    finally:
        workbook.close()


def _cell_text(value):
    """Dates stay dates; whole numbers lose Excel's ``.0``; the rest is text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lire(binary, filename):
    """Yield ``(line, row)`` from the open binary file ``binary`` named ``filename``."""
    if format_of(filename) == "xlsx":
        yield from lire_xlsx(binary)
    else:
        yield from lire_csv(binary)


def compter_lignes(binary, filename):
    """An estimate of the number of data rows (for the progress bar), without parsing."""
    if format_of(filename) != "csv":
        return None
    binary.seek(0)
    count = 0
    while chunk := binary.read(CHUNK):
        count += chunk.count(b"\n")
    binary.seek(0)
    return max(count, 1)
