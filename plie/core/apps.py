from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "plie.core"
    label = "core"
    verbose_name = "Structures et utilisateurs"

    def ready(self):
        from plie.core import auth  # noqa: F401  (connects the user_logged_in receiver)
