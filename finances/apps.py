from django.apps import AppConfig


class FinancesConfig(AppConfig):
    name = "finances"
    verbose_name = "Finances des opérations"
