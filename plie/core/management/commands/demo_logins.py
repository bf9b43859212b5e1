"""``manage.py demo_logins``: the demo accounts present in the database, and their password."""

from django.core.management.base import BaseCommand
from django.db.models import Q

from plie.core import demo
from plie.core.models import DemoDataset, User

SHOWN_PER_GROUP = 3  # beyond this, a group of identical accounts (the référents of a PLIE) is summarised


class Command(BaseCommand):
    help = "Affiche les comptes de démonstration existants (adresse, rôle, PLIE) et leur mot de passe."

    def handle(self, *args, **options):
        rows = demo_login_rows()
        if not rows:
            self.stdout.write("Aucun compte de démonstration dans la base (manage.py seed_demo).")
            return
        dataset = DemoDataset.objects.order_by("-pk").first()
        if dataset is not None:
            self.stdout.write(f"Démonstration du {dataset.reference_date:%d/%m/%Y} (graine {dataset.seed}).")
        self.stdout.write(f"Comptes de démonstration — mot de passe : {demo.DEMO_PASSWORD}")
        width = max(len(email) for email, _, _ in rows)
        groups = {}
        for email, role, where in rows:
            groups.setdefault((role, where), []).append(email)
        for (role, where), emails in groups.items():
            for email in emails[:SHOWN_PER_GROUP]:
                self.stdout.write(f"  {email:<{width}}  {role:<32}  {where}")
            if len(emails) > SHOWN_PER_GROUP:
                self.stdout.write(f"  … et {len(emails) - SHOWN_PER_GROUP} autres ({emails[-1]})")


def demo_login_rows():
    """(email, role label, PLIE or structure) of each demo user, in creation order."""
    users = User.objects.filter(
        Q(email__endswith=f".{demo.DEMO_EMAIL_DOMAIN}") | Q(email=demo.SUPERUSER_EMAIL)
    ).order_by("id")
    rows = []
    for user in users.prefetch_related("memberships__structure"):
        if user.is_superuser:
            rows.append((user.email, "Superutilisateur", "tous les PLIE"))
        for membership in user.memberships.all():
            rows.append((user.email, membership.get_role_display(), membership.structure.nom))
    return rows
