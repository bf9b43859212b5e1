from django.apps import AppConfig


class RgpdConfig(AppConfig):
    """Protection des données (docs/domaine.md §9): the access journal's pages, the participants'
    rights (access-request export, information notice), retention and anonymisation.

    It sits above participants, parcours and operations (it reads a whole dossier) and imports
    neither reporting nor is imported by any app."""

    name = "rgpd"
    verbose_name = "Protection des données"
