"""Building legacy files for the import tests (CSV in both encodings and separators, XLSX)."""

import csv
import io

from parcours.importation.lecture import COLONNES
from parcours.importation.services import importer

TODAY = "2026-06-15"


def ligne(**values):
    """One row of the legacy file with every column, overridable."""
    row = {
        "identifiant": "L001",
        "nom": "Martin",
        "prenom": "Léa",
        "sexe": "F",
        "date_naissance": "12/03/1990",
        "code_postal": "69001",
        "referent_email": "",
        "prescripteur": "France Travail Lyon",
        "date_entree": "01/02/2024",
        "date_sortie": "",
        "type_sortie": "",
        "niveau_formation": "2c",
        "brsa": "oui",
        "deld": "non",
        "th": "",
        "qpv": "non",
    }
    row.update(values)
    return row


def csv_bytes(rows, *, sep=";", encoding="utf-8", columns=COLONNES):
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, columns=COLONNES, cell=None):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([(cell or (lambda c, v: v))(c, row.get(c, "")) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run(content, plie, *, filename="parcours.csv", dry_run=False, user=None):
    import datetime

    return importer(
        io.BytesIO(content),
        filename,
        plie,
        user=user,
        dry_run=dry_run,
        today=datetime.date.fromisoformat(TODAY),
    )


def messages(resultat):
    return [(e.ligne, e.colonne, e.message) for e in resultat.erreurs]
