"""Reading the configuration from the environment.

Every reader raises :class:`EnvError` with a one-line French message naming the variable;
``plie/settings.py`` turns it into a clean exit so a misconfigured deployment stops at start-up
instead of half-working.
"""

import os
from urllib.parse import urlparse


class EnvError(ValueError):
    pass


TRUE_VALUES = {"1", "true", "yes", "on", "oui"}
FALSE_VALUES = {"0", "false", "no", "off", "non", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise EnvError(f"Variable d'environnement {name} manquante.")
        return default
    return value.strip()


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    normalized = value.strip().lower()
    if normalized in TRUE_VALUES:
        return True
    if normalized in FALSE_VALUES:
        return False
    raise EnvError(
        f"Variable d'environnement {name} invalide : « {value} » n'est pas un booléen (true/false)."
    )


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise EnvError(
            f"Variable d'environnement {name} invalide : « {value} » n'est pas un nombre entier."
        ) from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name, schemes, *, required=False):
    """A URL whose scheme is one of ``schemes`` (e.g. ``DATABASE_URL``, ``REDIS_URL``)."""
    value = env_str(name, required=required)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        expected = ", ".join(f"{s}://" for s in schemes)
        raise EnvError(f"Variable d'environnement {name} invalide : le schéma doit être {expected}.")
    if parsed.scheme != "sqlite" and not parsed.hostname:
        raise EnvError(f"Variable d'environnement {name} invalide : aucun hôte dans « {value} ».")
    return value
