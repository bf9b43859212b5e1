"""``manage.py import_parcours FICHIER --plie CODE [--dry-run] [--rapport ERREURS.csv]``: import the
parcours of a legacy tool (CSV or XLSX, one row per parcours; see :mod:`parcours.importation`).

The whole file is validated first; if any row is wrong nothing is imported and every error is
printed (line, column, reason), or written to ``--rapport``. ``--dry-run`` only validates."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.importation.services import importer, rapport_csv_lignes
from plie.core.models import Structure
from plie.core.writers import CsvWriter


class Command(BaseCommand):
    help = "Importe les participants et parcours d'un ancien outil (CSV ou XLSX, une ligne par parcours)."

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="fichier CSV (UTF-8 ou Windows-1252, « ; » ou « , ») ou XLSX")
        parser.add_argument("--plie", required=True, help="code du PLIE")
        parser.add_argument("--dry-run", action="store_true", help="vérifie le fichier sans rien importer")
        parser.add_argument("--rapport", help="fichier CSV où écrire le rapport d'erreurs")

    def handle(self, *args, fichier, plie, dry_run, rapport, **options):
        structure = Structure.objects.plies().filter(code=plie).first()
        if structure is None:
            raise CommandError(f"PLIE inconnu : {plie}.")
        path = Path(fichier)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}.")
        started = time.monotonic()
        with path.open("rb") as binary:
            resultat, compteurs = importer(binary, path.name, structure, dry_run=dry_run)
        elapsed = time.monotonic() - started
        if rapport:
            with open(rapport, "w", newline="", encoding="utf-8-sig") as out:
                out.writelines(CsvWriter().lines(rapport_csv_lignes(resultat.erreurs, resultat.doublons)))
        for ligne, _identifiant, message in resultat.doublons:
            self.stderr.write(f"Ligne {ligne} : doublon probable (signalé) : {message}")
        if not resultat.valide:
            for erreur in resultat.erreurs:
                where = f"Ligne {erreur.ligne}" if erreur.ligne else "Fichier"
                colonne = f", colonne {erreur.colonne}" if erreur.colonne else ""
                self.stderr.write(f"{where}{colonne} : {erreur.message}")
            if resultat.nb_erreurs > len(resultat.erreurs):
                self.stderr.write(f"… et {resultat.nb_erreurs - len(resultat.erreurs)} autres erreurs.")
            raise CommandError(f"{resultat.nb_erreurs} erreur(s) dans {fichier} : rien n'a été importé.")
        if dry_run:
            self.stdout.write(
                f"Fichier valide : {resultat.nb_lignes} ligne(s) vérifiée(s) en {elapsed:.1f} s, "
                "rien n'a été importé (--dry-run)."
            )
            return
        c = compteurs
        self.stdout.write(
            f"Import terminé en {elapsed:.1f} s : {c.lignes} ligne(s) ; "
            f"participants : {c.participants_crees} créé(s), "
            f"{c.participants_modifies} modifié(s) ; parcours : {c.parcours_crees} créé(s), "
            f"{c.parcours_modifies} modifié(s), {c.parcours_inchanges} inchangé(s) ; "
            f"{c.prescripteurs_crees} prescripteur(s) créé(s)."
        )
