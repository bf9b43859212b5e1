"""Write (or check) an operation's participant file for Ma Démarche FSE from the command line.

    manage.py export_mdfse --plie CODE --operation CODE [--du jj/mm/aaaa --au jj/mm/aaaa]
                           [--output FICHIER] [--valider]

The command acts for the platform operator on ONE PLIE: its rows go through the same scoped
query as the web export (``Inscription.objects.visible_to``), with ``Scope.system`` holding that PLIE only.
``--valider`` lists the faults instead of writing the file, and fails (exit status 1) when a line
would be rejected."""

from django.core.management.base import BaseCommand, CommandError

from operations import mdfse, mdfse_validation
from operations.models import Operation
from plie.core import dates
from plie.core.models import Structure
from plie.core.scoping import Scope


def _date(value):
    try:
        return dates.parse_date(value, iso=False)
    except dates.DateInvalide:
        raise CommandError(f"Date « {value} » invalide : format jj/mm/aaaa attendu.") from None


class Command(BaseCommand):
    help = "Écrit (ou vérifie) le fichier des participants d'une opération pour Ma Démarche FSE."

    def add_arguments(self, parser):
        parser.add_argument("--plie", required=True, help="code du PLIE")
        parser.add_argument("--operation", required=True, help="code de l'opération")
        parser.add_argument("--du", type=_date, help="début de la période (jj/mm/aaaa)")
        parser.add_argument("--au", type=_date, help="fin de la période (jj/mm/aaaa)")
        parser.add_argument("--output", help="fichier à écrire (sortie standard par défaut)")
        parser.add_argument("--valider", action="store_true", help="vérifier au lieu d'écrire le fichier")

    def handle(self, *args, plie, operation, du, au, output, valider, **options):
        try:
            structure = Structure.objects.plies().get(code=plie)
        except Structure.DoesNotExist:
            raise CommandError(f"PLIE « {plie} » introuvable.") from None
        try:
            operation = Operation.objects.get(plie=structure, code=operation)
        except Operation.DoesNotExist:
            raise CommandError(f"Opération « {operation} » introuvable dans le PLIE « {plie} ».") from None
        du, au = mdfse.periode(operation, du, au)
        if du > au:
            raise CommandError("--du est postérieure à --au.")
        # the platform operator acting on this PLIE only: its participants, not their sensitive data
        scope = Scope.system(structure.pk, label="commande export_mdfse")

        if valider:
            anomalies = mdfse_validation.valider_operation(operation, scope, du, au)
            for anomalie in anomalies:
                colonne = anomalie.colonne or "-"
                self.stdout.write(
                    f"ligne {anomalie.ligne} ; {colonne} ; {anomalie.gravite} ; {anomalie.message}"
                )
            resume = mdfse_validation.resume(anomalies)
            bilan = (
                f"{resume['lignes']} ligne(s) rejetée(s), {resume['erreurs']} erreur(s), "
                f"{resume['avertissements']} avertissement(s)."
            )
            if resume["erreurs"]:
                raise CommandError(bilan)
            self.stderr.write(bilan)
            return

        lignes = mdfse.export_csv(operation, scope, du, au)
        if output:
            count = -1
            with open(output, "w", encoding="utf-8", newline="") as fichier:
                for count, ligne in enumerate(lignes):  # noqa: B007
                    fichier.write(ligne)
            self.stderr.write(f"{count} inscription(s) écrite(s) dans {output}.")
        else:
            for ligne in lignes:
                self.stdout.write(ligne, ending="")
