"""Link the contracts recorded in parcours to their employer (``entreprises.services.contrats_lier``)
and list those left for a person to link. Safe to run twice."""

from django.core.management.base import BaseCommand

from entreprises.services import contrats_lier
from plie.core.models import Structure
from plie.core.scoping import Scope


class Command(BaseCommand):
    help = "Relie les contrats des parcours à leur employeur (par SIRET, sinon par nom) et liste les autres."

    def add_arguments(self, parser):
        parser.add_argument("--plie", help="code du PLIE (tous par défaut)")

    def handle(self, *args, plie=None, **options):
        plies = Structure.objects.plies().order_by("nom")
        if plie:
            plies = plies.filter(code=plie)
        for structure in plies:
            scope = Scope.system(structure.pk, label="liaison des contrats aux employeurs")
            linked, unmatched = contrats_lier(scope=scope, plie_id=structure.pk)
            self.stdout.write(
                f"{structure.nom} : {linked} contrat(s) relié(s), {len(unmatched)} à relier à la main."
            )
            for contrat in unmatched:
                who = contrat.etape.parcours.participant
                self.stdout.write(
                    f"  contrat {contrat.pk} — « {contrat.employeur} » "
                    f"({who.nom.upper()} {who.prenom}, depuis le {contrat.date_debut:%d/%m/%Y})"
                )
