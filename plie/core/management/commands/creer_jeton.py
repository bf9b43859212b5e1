"""``manage.py creer_jeton EMAIL --nom NOM [--ecriture]``: a new API token, printed once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plie.core.models import User
from plie.core.scoping import Scope
from plie.core.tokens import token_create


class Command(BaseCommand):
    help = (
        "Crée un jeton d'API pour un utilisateur et l'affiche une seule fois "
        "(seule son empreinte est gardée)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Adresse de l'utilisateur dont le jeton portera les droits.")
        parser.add_argument("--nom", required=True, help="Nom du jeton (l'outil qui l'utilise).")
        parser.add_argument(
            "--ecriture", action="store_true", help="Jeton en lecture et écriture (sinon lecture seule)."
        )

    def handle(self, *args, email, nom, ecriture, **options):
        owner = User.objects.filter(email=email.strip().lower()).first()
        if owner is None:
            raise CommandError(f"Aucun utilisateur avec l'adresse « {email} ».")
        scope = Scope(frozenset(), frozenset(), frozenset(), {}, label="commande creer_jeton")
        try:
            token, secret = token_create(scope=scope, owner=owner, nom=nom, ecriture=ecriture)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        droits = "lecture et écriture" if token.ecriture else "lecture seule"
        self.stderr.write(
            f"Jeton « {token.nom} » ({droits}) créé pour {owner.email} ; il ne sera plus affiché :"
        )
        self.stdout.write(secret)
