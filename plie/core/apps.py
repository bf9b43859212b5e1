from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "plie.core"
    label = "core"
    verbose_name = "Structures et utilisateurs"
