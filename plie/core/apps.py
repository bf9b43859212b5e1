from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "plie.core"
    label = "core"
    verbose_name = "Structures et utilisateurs"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from plie.core import auth  # noqa: F401  (connects the user_logged_in receiver)
        from plie.core.journal import on_history_created

        post_create_historical_record.connect(on_history_created, dispatch_uid="plie_journal_changes")

        # The nightly jobs in the embedded default (no Redis): runserver runs them in a thread.
        import os
        import sys

        from plie.core.nightly import start_embedded_scheduler

        start_embedded_scheduler(sys.argv, os.environ)
