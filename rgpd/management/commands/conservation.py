"""``manage.py conservation --plie CODE [--date JJ/MM/AAAA] [--executer]``: the report of the
nightly retention run of one PLIE (who is anonymised, who is in the notice period, who is kept
by an objection, how many import files go), without changing anything; with ``--executer``,
the run itself (:func:`rgpd.services.conservation_run`, as the nightly task does)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plie.core.models import Structure
from plie.core.scoping import Scope
from rgpd import conservation
from rgpd.selectors import conservation_of, plan
from rgpd.services import conservation_run, imports_expires

LIBELLES = {
    conservation.A_ANONYMISER: "anonymisé",
    conservation.PREAVIS: "préavis",
    conservation.OPPOSE: "gardé (opposition)",
}


class Command(BaseCommand):
    help = (
        "Rapport (ou exécution) de la conservation des données d'un PLIE : anonymisations, fichiers d'import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plie", required=True, help="code du PLIE")
        parser.add_argument("--date", help="jour de la simulation (jj/mm/aaaa ; aujourd'hui par défaut)")
        parser.add_argument("--executer", action="store_true", help="anonymiser et supprimer pour de bon")

    def handle(self, *args, plie, date, executer, **options):
        structure = Structure.objects.plies().filter(code=plie).first()
        if structure is None:
            raise CommandError(f"PLIE inconnu : « {plie} ».")
        try:
            today = datetime.datetime.strptime(date, "%d/%m/%Y").date() if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"Date invalide : « {date} » (jj/mm/aaaa attendu).") from None
        if executer:
            scope = Scope.system(structure.pk, label="conservation des données (commande)")
            counts = conservation_run(scope=scope, plie_id=structure.pk, today=today)
            self.stdout.write(
                f"{counts['anonymises']} dossier(s) anonymisé(s), {counts['imports']} import(s) nettoyé(s), "
                f"{counts['journal']} entrée(s) du journal purgée(s)."
            )
            return
        settings = conservation_of(structure.pk)
        rows = plan(structure.pk, today, settings)
        self.stdout.write(f"Simulation au {today:%d/%m/%Y} pour {structure.nom} (rien n'est modifié) :")
        for row in rows:
            self.stdout.write(
                f"  dossier n° {row['participant_id']} : échéance {row['echeance']:%d/%m/%Y}, "
                f"{LIBELLES[row['statut']]}"
            )
        due = sum(1 for row in rows if row["statut"] == conservation.A_ANONYMISER)
        imports = imports_expires(structure.pk, timezone.now(), settings.jours_fichiers_import).count()
        self.stdout.write(f"{due} dossier(s) à anonymiser, {imports} import(s) à nettoyer.")
