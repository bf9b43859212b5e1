from django.apps import AppConfig


class EntreprisesConfig(AppConfig):
    name = "entreprises"
    verbose_name = "Relations entreprises"

    def ready(self):
        """Plug this app into core's extension points (``plie.core.registry``, idempotent)."""
        from entreprises import demo, suivi_sortie, timeline
        from plie.core import registry
        from plie.core.enums import Role

        for role in (Role.REFERENT, Role.GESTIONNAIRE):
            registry.register_home_panel(role, suivi_sortie.panel_relances)
        registry.register_demo_step(demo.create_entreprises)
        registry.register_timeline_source(timeline.mise_en_relation_events)
