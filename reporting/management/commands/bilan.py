"""``manage.py bilan --plie CODE --annee AAAA [--format json|csv|xlsx|pdf] [--output FICHIER]``:
the annual bilan of a PLIE as data (see :mod:`reporting.bilan`) or as the PDF for the comité de
pilotage (see :mod:`reporting.pdf`). XLSX and PDF go to a file: ``--output``, else
``bilan-<plie>-<annee>.<format>`` in the current directory (:func:`default_output`).

A closed year (``reporting.clotures``) is given from its stored version: the latest, or
``--version-cloturee N``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plie.core.models import Structure
from reporting.bilan import PlieInconnu, bilan_annuel
from reporting.clotures import VersionInconnue, rapport_servi
from reporting.exports import EXPORTS
from reporting.models import Cloture

FORMATS = ("json", "csv", "xlsx", "pdf")
ANNEE_MIN, ANNEE_MAX = 2000, 2100


def default_output(plie, annee, format):
    """The file an XLSX or PDF bilan is written to without ``--output``."""
    return f"bilan-{plie}-{annee}.{format}"


class Command(BaseCommand):
    help = "Produit le bilan annuel d'un PLIE (flux, taux, répartitions, étapes) en JSON, CSV, XLSX ou PDF."

    def add_arguments(self, parser):
        parser.add_argument("--plie", required=True, help="code du PLIE")
        parser.add_argument("--annee", required=True, type=int, help="année civile du bilan")
        parser.add_argument("--format", default="json", choices=FORMATS, help="format (json par défaut)")
        parser.add_argument(
            "--version-cloturee",
            type=int,
            dest="version_cloturee",
            help="version clôturée à produire (par défaut : la dernière, si l'année est clôturée)",
        )
        parser.add_argument(
            "--output",
            help="fichier à écrire (sinon : sortie standard en JSON et CSV, bilan-PLIE-ANNEE.xlsx ou .pdf "
            "dans le dossier courant en XLSX et PDF)",
        )

    def handle(self, *args, plie, annee, format, output, version_cloturee=None, **options):
        if not ANNEE_MIN <= annee <= ANNEE_MAX:
            raise CommandError(f"Année invalide : {annee} (attendu entre {ANNEE_MIN} et {ANNEE_MAX}).")
        par_defaut = format in ("xlsx", "pdf") and not output
        if par_defaut:
            output = default_output(plie, annee, format)
        try:
            structure = Structure.objects.plies().filter(code=plie).first()
            if structure is None:
                bilan_annuel(plie, annee)  # raises PlieInconnu with its message
            bilan, _ = rapport_servi(
                structure, Cloture.Rapport.BILAN, f"{annee:04d}", version=version_cloturee
            )
        except (PlieInconnu, VersionInconnue) as error:
            raise CommandError(str(error)) from error
        if format == "pdf":
            from reporting.pdf import render_bilan  # WeasyPrint is loaded only when needed

            content = render_bilan(bilan)
        else:
            exporter, _ = EXPORTS[format]
            content = exporter(bilan)
        if output:
            Path(output).write_bytes(content)
            note = " (nom par défaut ; --output FICHIER pour en choisir un autre)" if par_defaut else ""
            self.stderr.write(f"Bilan {annee} de {plie} écrit dans {output}{note}.")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="\n")
