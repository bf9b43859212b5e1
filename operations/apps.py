from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Opérations FSE"

    def ready(self):
        import operations.timeline  # noqa: F401  (registers the enrolments in the dossier's timeline)
        from operations.alertes import alertes_donnees_sortie_fse
        from parcours import alertes

        # The nightly « données FSE de sortie » alert reads the enrolments' exit data (the
        # extension point parcours.alertes.SOURCES documents); idempotent if ready() runs twice.
        alertes.SOURCES[:] = [
            alertes_donnees_sortie_fse if source.__name__ == "alertes_donnees_sortie_fse" else source
            for source in alertes.SOURCES
        ]
