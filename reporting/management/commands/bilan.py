"""``manage.py bilan --plie CODE --annee AAAA [--format json|csv|xlsx] [--output FICHIER]``: the
annual bilan of a PLIE as data (see :mod:`reporting.bilan`). The PDF comes later."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.bilan import PlieInconnu, bilan_annuel
from reporting.exports import EXPORTS

FORMATS = ("json", "csv", "xlsx", "pdf")
ANNEE_MIN, ANNEE_MAX = 2000, 2100


class Command(BaseCommand):
    help = "Produit le bilan annuel d'un PLIE (flux, taux, répartitions, étapes) en JSON, CSV ou XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--plie", required=True, help="code du PLIE")
        parser.add_argument("--annee", required=True, type=int, help="année civile du bilan")
        parser.add_argument("--format", default="json", choices=FORMATS, help="format (json par défaut)")
        parser.add_argument("--output", help="fichier à écrire (sortie standard sinon, sauf XLSX)")

    def handle(self, *args, plie, annee, format, output, **options):
        if format == "pdf":
            raise CommandError(
                "Le bilan au format PDF n'est pas encore disponible : utilisez json, csv ou xlsx."
            )
        if not ANNEE_MIN <= annee <= ANNEE_MAX:
            raise CommandError(f"Année invalide : {annee} (attendu entre {ANNEE_MIN} et {ANNEE_MAX}).")
        if format == "xlsx" and not output:
            raise CommandError("Le format XLSX s'écrit dans un fichier : précisez --output FICHIER.")
        try:
            bilan = bilan_annuel(plie, annee)
        except PlieInconnu as error:
            raise CommandError(str(error)) from error
        exporter, _ = EXPORTS[format]
        content = exporter(bilan)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Bilan {annee} de {plie} écrit dans {output}.")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="\n")
