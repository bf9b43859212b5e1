"""The start-up of ``manage.py``: an unreachable PostgreSQL or Redis is one French line naming the
variable and the host (``DATABASE_URL désigne 127.0.0.1:5432 : connexion refusée…``), and an exit
status of 1, instead of a 90-line traceback.

Both are tried before the command runs (:func:`services_problem`), except for the commands that
need neither (``collectstatic`` at image build, ``makemigrations``, ``help``…) and ``check
--deploy`` (a configuration check). A connection lost while a command runs is reported the same
way (:func:`connection_problem`)."""

from urllib.parse import urlsplit

from django.conf import settings

COMMANDS_WITHOUT_SERVICES = frozenset(
    {"help", "version", "collectstatic", "makemigrations", "makemessages", "compilemessages", "diffsettings"}
)
REDIS_TIMEOUT_SECONDS = 3

REASONS = (  # (fragment of the driver's English message, French reason)
    ("connection refused", "connexion refusée (le service n'écoute pas à cette adresse)"),
    ("password authentication failed", "authentification refusée (utilisateur ou mot de passe)"),
    ("no password supplied", "authentification refusée (mot de passe manquant)"),
    ("authentication", "authentification refusée"),
    ("timeout", "délai de connexion dépassé"),
    ("timed out", "délai de connexion dépassé"),
    ("could not translate host name", "hôte inconnu"),
    ("name or service not known", "hôte inconnu"),
    ("temporary failure in name resolution", "hôte inconnu"),
    (
        "unable to open database file",
        "fichier impossible à ouvrir (son dossier existe-t-il ? `make migrate` crée var/)",
    ),
)


def needs_services(argv):
    """Whether the command of ``argv`` (``manage.py COMMAND …``) should find its services up."""
    if len(argv) < 2 or argv[1].startswith("-"):
        return False
    if argv[1] in COMMANDS_WITHOUT_SERVICES:
        return False
    return not (argv[1] == "check" and "--deploy" in argv)


def _reason(error):
    text = str(error).lower()
    for fragment, reason in REASONS:
        if fragment in text:
            return reason
    return "connexion impossible"


def _address(url):
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{host}:{parts.port}" if parts.port else host


def database_message(error):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        where = (
            f"DATABASE_URL désigne {database['NAME']}"
            if settings.DATABASE_URL
            else (f"DATABASE_URL absente : fichier SQLite {database['NAME']}")
        )
        return f"Base de données inaccessible — {where} : {_reason(error)}."
    where = f"DATABASE_URL désigne {_address(settings.DATABASE_URL)}"
    if "does not exist" in str(error) and "database" in str(error):
        name = database["NAME"]
        return (
            f"Base de données introuvable — {where} : la base « {name} » n'existe pas "
            f"(créez-la : createdb -h {database['HOST']} -U {database['USER'] or 'postgres'} {name})."
        )
    return (
        f"Base de données injoignable — {where} : {_reason(error)}. "
        "Démarrez PostgreSQL ou corrigez DATABASE_URL."
    )


def redis_message(error):
    return (
        f"Redis injoignable — REDIS_URL désigne {_address(settings.REDIS_URL)} : {_reason(error)}. "
        "Démarrez Redis ou corrigez REDIS_URL (sans REDIS_URL, les tâches s'exécutent dans le processus)."
    )


def services_problem():
    """The French line saying which service does not answer, or ``None`` when all do."""
    from django.db import connections
    from django.db.utils import OperationalError

    connection = connections["default"]
    if connection.vendor == "postgresql":  # SQLite is a local file, created by `migrate`
        try:
            connection.ensure_connection()
        except OperationalError as error:
            return database_message(error)
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        try:
            client.ping()
        except redis.exceptions.RedisError as error:
            return redis_message(error)
        finally:
            client.close()
    return None


def connection_problem(error):
    """The French line for ``error`` raised while a command ran, when it is a lost or refused
    connection to the database, Redis or the Celery broker; ``None`` for any other error."""
    from django.db import connections
    from django.db.utils import OperationalError

    if isinstance(error, OperationalError) and connections["default"].connection is None:
        return database_message(error)
    try:
        import redis
        from kombu.exceptions import OperationalError as BrokerError
    except ImportError:  # pragma: no cover - both are dependencies
        return None
    if isinstance(error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, BrokerError)):
        return redis_message(error)
    return None
