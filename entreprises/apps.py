from django.apps import AppConfig


class EntreprisesConfig(AppConfig):
    name = "entreprises"
    verbose_name = "Relations entreprises"

    def ready(self):
        """Plug this app into core's extension points (``plie.core.registry``, idempotent)."""
