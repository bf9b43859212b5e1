"""``manage.py taches_nocturnes``: the nightly jobs in-process (see :mod:`plie.core.nightly`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plie.core import nightly
from plie.core.dates import DateInvalide, format_date, parse_date


class Command(BaseCommand):
    help = (
        "Exécute les tâches nocturnes (comptages, alertes, consolidation, conservation RGPD, ménage "
        "des exports) dans ce processus, sans worker : ce que fait Celery beat quand Redis est configuré."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--si-en-retard",
            action="store_true",
            help="ne rien faire si les tâches de ce jour ont déjà été exécutées (make run)",
        )
        parser.add_argument("--date", help="jour traité, jj/mm/aaaa (aujourd'hui par défaut)")

    def handle(self, *args, si_en_retard, date, **options):
        try:
            day = parse_date(date) or timezone.localdate()
        except DateInvalide as error:
            raise CommandError(f"--date : {error}") from None
        if si_en_retard and not settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write(
                "Tâches nocturnes : exécutées par Celery beat et ses workers (REDIS_URL configuré)."
            )
            return
        if si_en_retard and not nightly.night_due(day):
            self.stdout.write(f"Tâches nocturnes : déjà exécutées le {format_date(nightly.last_night())}.")
            return
        last = nightly.last_night()
        self.stdout.write(
            f"Tâches nocturnes du {format_date(day)} (dernière exécution : {format_date(last, 'aucune')}) :"
        )
        names = nightly.run_nightly_jobs(day, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Tâches nocturnes : {len(names)} tâches exécutées."))
