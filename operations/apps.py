from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "Opérations FSE"

    def ready(self):
        import operations.timeline  # noqa: F401  (registers the enrolments in the dossier's timeline)
