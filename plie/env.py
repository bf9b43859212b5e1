"""Reading the configuration from the environment.

Every reader raises :class:`EnvError` with a one-line French message naming the variable;
``plie/settings.py`` collects them all and turns them into one clean exit (:func:`describe`), so a
misconfigured deployment stops at start-up, listing every missing variable at once, instead of
half-working or failing one variable per run.
"""

import os
from urllib.parse import urlparse


class EnvError(ValueError):
    pass


class MissingVariable(EnvError):
    """A required variable is absent: ``settings.py`` collects them all before stopping."""

    def __init__(self, name):
        self.name = name
        super().__init__(f"Variable d'environnement {name} manquante.")


def describe(problems):
    """One French line for every problem found: the missing variables together, then each
    invalid one (``problems``: :class:`EnvError` instances, in reading order)."""
    missing = [problem.name for problem in problems if isinstance(problem, MissingVariable)]
    parts = []
    if len(missing) == 1:
        parts.append(f"Variable d'environnement {missing[0]} manquante.")
    elif missing:
        parts.append(f"Variables d'environnement manquantes : {', '.join(missing)}.")
    parts.extend(str(problem) for problem in problems if not isinstance(problem, MissingVariable))
    return " ".join(parts)


TRUE_VALUES = {"1", "true", "yes", "on", "oui"}
FALSE_VALUES = {"0", "false", "no", "off", "non", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise MissingVariable(name)
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
