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


class FichierInvalide(Exception):
    """The file cannot be read as a table of parcours; ``erreurs`` are ``(colonne, message)``."""

    def __init__(self, erreurs):
        self.erreurs = [erreurs] if isinstance(erreurs, str) else list(erreurs)
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


def lire_csv(binary):
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        first = text.readline()
        if not first.strip():
            raise FichierInvalide("Le fichier est vide : aucune ligne d'en-tête.")
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        reader = csv.reader(text, delimiter=delimiter)
        header = _normalise_header(next(csv.reader([first], delimiter=delimiter)))
        while header and header[-1] == "":  # Excel's trailing separators
            header.pop()

        def records():
            previous = 0  # a quoted value may span lines: a row starts after the previous one
            for cells in reader:
                yield previous + 2, cells
                previous = reader.line_num

        yield from _rows_from(header, records())
    finally:
        text.detach()


def lire_xlsx(binary):
    from openpyxl import load_workbook

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
