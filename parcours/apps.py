from django.apps import AppConfig
from django.db.models.signals import post_save


class ParcoursConfig(AppConfig):
    name = "parcours"
    verbose_name = "Parcours"

    def ready(self):
        import parcours.timeline  # noqa: F401  (registers the dossier's timeline sources)
        from parcours.signals import create_referentiels_for_new_plie
        from plie.core.models import Structure

        post_save.connect(
            create_referentiels_for_new_plie, sender=Structure, dispatch_uid="parcours_referentiels_new_plie"
        )
