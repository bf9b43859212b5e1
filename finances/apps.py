from django.apps import AppConfig


class FinancesConfig(AppConfig):
    name = "finances"
    verbose_name = "Finances des opérations"

    def ready(self):
        """Plug this app into core's extension points (``plie.core.registry``, idempotent)."""
        from finances import demo
        from plie.core import registry

        registry.register_demo_step(demo.create_finances)
