from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Opérations FSE"

    def ready(self):
        """Plug this app into core's extension points (``plie.core.registry``, idempotent)."""
        from operations import alertes, demo, dossier, home, timeline
        from operations.models import Inscription
        from parcours import alertes as parcours_alertes
        from plie.core import journal, registry
        from plie.core.enums import Role

        registry.register_home_panel(Role.GESTIONNAIRE, home.operations_fse)
        registry.register_home_panel(Role.GESTIONNAIRE, home.completude_fse)
        registry.register_demo_step(demo.create_operations)
        registry.register_timeline_source(timeline.inscription_events)
        # The parcours page offers to enrol an admitted person in the PLIE's current operation.
        registry.register_dossier_panel(dossier.inscription_fse)
        # The access journal: whose dossier each change touches (plie.core.journal).
        journal.register_subject(
            Inscription, lambda inscription: (inscription.participant_id, inscription.participant.plie_id)
        )
        # The nightly « données FSE de sortie » alert reads the enrolments' exit data, in place
        # of parcours' source that only knows the parcours' exit date.
        registry.register_alert_source(
            alertes.alertes_donnees_sortie_fse, replaces=parcours_alertes.alertes_donnees_sortie_fse
        )
