from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs):
    """SQLite stand-ins for pg_trgm's functions (participants/search.py)."""
    if connection.vendor == "sqlite":
        from participants.search import python_similarity, python_word_similarity

        raw = connection.connection
        raw.create_function("plie_word_similarity", 2, python_word_similarity, deterministic=True)
        raw.create_function("plie_similarity", 2, python_similarity, deterministic=True)


# pg_trgm loaded by each new PostgreSQL session in a plain context (one statement; nothing on a
# database without the extension yet, before its migration).
LOAD_PG_TRGM = (
    "DO $$ BEGIN PERFORM word_similarity('', ''); EXCEPTION WHEN undefined_function THEN NULL; END $$"
)


def load_pg_trgm(sender, connection, **kwargs):
    """Load pg_trgm as the session starts, so that the thresholds of the start-up options
    (``pg_trgm.word_similarity_threshold=0.5``, plie/settings.py) always apply: a session whose
    first use of pg_trgm is a parallel operation (a parallel index ``VACUUM``, a parallel scan)
    loads the library in parallel mode, where the placeholder value cannot be applied (« cannot
    be set during a parallel operation »), and the search would run at pg_trgm's 0.6 for the rest
    of the session (seen in the bench: a misspelt name not found after a parallel ``VACUUM``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(LOAD_PG_TRGM)


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants"

    def ready(self):
        """Plug this app into core's extension points (``plie.core.registry``, idempotent)."""
        from participants import demo, timeline
        from participants.models import Document, Frein, Participant, SituationEntree
        from plie.core import journal, registry

        connection_created.connect(register_sqlite_functions, dispatch_uid="participants_sqlite_functions")
        connection_created.connect(load_pg_trgm, dispatch_uid="participants_load_pg_trgm")
        registry.register_demo_step(demo.create_participants)
        registry.register_demo_step(demo.create_situations_and_freins)
        for source in (
            timeline.participant_events,
            timeline.situation_events,
            timeline.frein_events,
            timeline.document_events,
        ):
            registry.register_timeline_source(source)
        # The access journal: whose dossier each change touches (plie.core.journal).
        journal.register_subject(Participant, lambda participant: (participant.pk, participant.plie_id))
        for model in (SituationEntree, Frein, Document):
            journal.register_subject(model, lambda obj: (obj.participant_id, obj.participant.plie_id))
