"""``manage.py seed_demo``: a deterministic demo world (see :mod:`plie.core.demo`)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plie.core import demo
from plie.core.models import Structure


class Command(BaseCommand):
    help = (
        "Crée les données de démonstration : un OI, des PLIE, leurs partenaires, un compte par rôle "
        "et des participants. Mêmes arguments, mêmes données."
    )

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, default=300, help="nombre de participants (300)")
        parser.add_argument("--plie", type=int, default=3, help="nombre de PLIE (3)")
        parser.add_argument("--seed", type=int, default=42, help="graine du générateur (42)")
        parser.add_argument(
            "--if-empty", action="store_true", help="ne rien faire si la base contient déjà un PLIE"
        )

    def handle(self, *args, participants, plie, seed, if_empty, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuse de s'exécuter en production (DJANGO_ENV=production) : il créerait des "
                "comptes, dont un superutilisateur, avec le mot de passe public de démonstration."
            )
        if participants < 0:
            raise CommandError(f"--participants doit être positif ou nul (reçu : {participants}).")
        if plie < 1:
            raise CommandError(f"--plie doit valoir au moins 1 (reçu : {plie}).")
        if Structure.objects.plies().exists():
            if if_empty:
                self.stdout.write("La base contient déjà des PLIE : données de démonstration non créées.")
                return
            raise CommandError(
                "La base contient déjà des PLIE : seed_demo ne remplit qu'une base vide "
                "(--if-empty pour ne rien faire dans ce cas)."
            )
        started = time.perf_counter()
        world = demo.build_world(participants=participants, plies=plie, seed=seed, stdout=self.stdout)
        created = ", ".join(f"{count} {what}" for what, count in world.created.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration créées en {time.perf_counter() - started:.1f} s : {created}."
            )
        )
        self.stdout.write(f"Mot de passe de tous les comptes : {demo.DEMO_PASSWORD} (manage.py demo_logins).")
