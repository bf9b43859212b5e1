"""``manage.py seed_demo``: a deterministic demo world (see :mod:`plie.core.demo`)."""

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plie.core import demo, nightly
from plie.core.dates import DateInvalide, format_date, parse_date
from plie.core.models import Structure


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration : un OI, des PLIE, leurs partenaires, un compte par rôle "
        "et des participants, datés par rapport au jour de chargement (ou à --date). Mêmes "
        "arguments et même date, mêmes données. Les tâches nocturnes du jour sont exécutées ensuite."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants",
            type=int,
            default=demo.DEFAULT_PARTICIPANTS,
            help=f"nombre de participants ({demo.DEFAULT_PARTICIPANTS})",
        )
        parser.add_argument("--plie", type=int, default=3, help="nombre de PLIE (3)")
        parser.add_argument("--seed", type=int, default=42, help="graine du générateur (42)")
        parser.add_argument(
            "--date",
            help="jour de référence de la démonstration, jj/mm/aaaa ou aaaa-mm-jj (aujourd'hui par défaut)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="ne rien faire si la base contient déjà un PLIE (et dire si la démonstration a vieilli)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="vider la base (manage.py flush) avant de recréer la démonstration",
        )
        parser.add_argument(
            "--sans-nocturne",
            action="store_true",
            help="ne pas exécuter les tâches nocturnes après le chargement (le banc d'essai les mesure)",
        )

    def handle(self, *args, participants, plie, seed, date, if_empty, reset, sans_nocturne, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuse de s'exécuter en production (DJANGO_ENV=production) : il créerait des "
                "comptes, dont un superutilisateur, avec le mot de passe public de démonstration."
            )
        if participants < 0:
            raise CommandError(f"--participants doit être positif ou nul (reçu : {participants}).")
        if plie < 1:
            raise CommandError(f"--plie doit valoir au moins 1 (reçu : {plie}).")
        try:
            today = parse_date(date) or timezone.localdate()
        except DateInvalide as error:
            raise CommandError(f"--date : {error}") from None
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Base vidée (manage.py flush).")
        if Structure.objects.plies().exists():
            if if_empty:
                self.stdout.write("La base contient déjà des PLIE : données de démonstration non créées.")
                message = demo.staleness_message(timezone.localdate())
                if message:
                    self.stdout.write(self.style.WARNING(message))
                return
            raise CommandError(
                "La base contient déjà des PLIE : seed_demo ne remplit qu'une base vide "
                "(--if-empty pour ne rien faire dans ce cas, --reset pour la vider d'abord)."
            )
        started = time.perf_counter()
        world = demo.build_world(
            participants=participants, plies=plie, seed=seed, today=today, stdout=self.stdout
        )
        created = ", ".join(f"{count} {what}" for what, count in world.created.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration du {format_date(today)} créées en "
                f"{time.perf_counter() - started:.1f} s : {created}."
            )
        )
        if not sans_nocturne:
            started = time.perf_counter()
            self.stdout.write(
                f"Tâches nocturnes du {format_date(today)} (alertes, comptages, consolidation…) :"
            )
            nightly.run_nightly_jobs(today, stdout=self.stdout)
            self.stdout.write(f"Tâches nocturnes exécutées en {time.perf_counter() - started:.1f} s.")
        self.stdout.write(f"Mot de passe de tous les comptes : {demo.DEMO_PASSWORD} (manage.py demo_logins).")
