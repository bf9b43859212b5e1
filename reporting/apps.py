from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Bilans et indicateurs"

    def ready(self):
        """Plug this app into core's extension points (``plie.core.registry``, idempotent)."""
        from plie.core import registry
        from plie.core.enums import Role
        from reporting import home

        registry.register_home_panel(Role.GESTIONNAIRE, home.bilan_annuel)
        registry.register_home_panel(Role.DIRECTION, home.taux_annee)
        registry.register_home_panel(Role.FINANCEUR, home.indicateurs_agreges)
