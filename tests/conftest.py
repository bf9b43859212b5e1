"""The suite is hardened here: warnings are errors (pyproject), invalid template variables fail,
Celery runs eagerly unless a test starts a real worker, and the personas of PLIE A / PLIE B live
here for every app's tests."""

import os
from types import SimpleNamespace

import pytest
from django.conf import settings

from plie.core.enums import Role, StructureKind
from tests.factories import MembershipFactory, OIFactory, PlieFactory, StructureFactory, UserFactory


class InvalidTemplateVariable(str):
    def __mod__(self, other):
        raise AssertionError(f"Variable de gabarit invalide : {other}")


@pytest.fixture(autouse=True)
def _hardened_settings(settings, tmp_path):
    for template in settings.TEMPLATES:
        template["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Personas log in with force_login, without a second factor: the tests of the second factor
    # (tests/core/test_securite.py) switch it on with the ``otp_required`` fixture.
    settings.PLIE_OTP_REQUIRED = False
    from plie.celery import app

    app.conf.task_always_eager = True


@pytest.fixture
def otp_required(settings):
    """The second factor required, as in production (off by default in the suite)."""
    settings.PLIE_OTP_REQUIRED = True


def services_required():
    """In CI (PLIE_REQUIRE_SERVICES=1) a test that needs PostgreSQL/Redis fails instead of skipping."""
    return os.environ.get("PLIE_REQUIRE_SERVICES") == "1"


def require_postgres_and_redis():
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        missing.append("Redis (REDIS_URL)")
    if missing:
        message = "nécessite " + " et ".join(missing)
        if services_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def world(db):
    """Two PLIE of one OI, a third PLIE elsewhere, and one persona per role.

    - PLIE A: référent, animateur, gestionnaire, direction, administrateur
    - PLIE B (same OI): a référent
    - PLIE C (another OI): nobody of ours
    - the OI over A and B: a direction user
    - a financeur structure partner of A: a financeur user
    - an opérateur partner of B: a référent employed there
    """
    oi = OIFactory(nom="OI Sud")
    plie_a = PlieFactory(nom="PLIE A", code="plie-a", oi=oi)
    plie_b = PlieFactory(nom="PLIE B", code="plie-b", oi=oi)
    plie_c = PlieFactory(nom="PLIE C", code="plie-c", oi=OIFactory(nom="OI Nord"))
    financeur = StructureFactory(kind=StructureKind.FINANCEUR, nom="Département")
    financeur.plies.add(plie_a)
    operateur = StructureFactory(kind=StructureKind.OPERATEUR, nom="Association Tremplin")
    operateur.plies.add(plie_b)

    def person(role, structure, email):
        user = UserFactory(email=email)
        MembershipFactory(user=user, structure=structure, role=role)
        return user

    return SimpleNamespace(
        oi=oi,
        plie_a=plie_a,
        plie_b=plie_b,
        plie_c=plie_c,
        financeur_structure=financeur,
        operateur=operateur,
        referent_a=person(Role.REFERENT, plie_a, "referent.a@exemple.fr"),
        animateur_a=person(Role.ANIMATION, plie_a, "animation.a@exemple.fr"),
        gestionnaire_a=person(Role.GESTIONNAIRE, plie_a, "gestion.a@exemple.fr"),
        direction_a=person(Role.DIRECTION, plie_a, "direction.a@exemple.fr"),
        admin_a=person(Role.ADMINISTRATEUR, plie_a, "admin.a@exemple.fr"),
        referent_b=person(Role.REFERENT, plie_b, "referent.b@exemple.fr"),
        oi_user=person(Role.DIRECTION, oi, "direction.oi@exemple.fr"),
        financeur=person(Role.FINANCEUR, financeur, "financeur@exemple.fr"),
        referent_operateur=person(Role.REFERENT, operateur, "referent.operateur@exemple.fr"),
        no_role=UserFactory(email="sans.role@exemple.fr"),
    )


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server (moto's server mode, its own process on 127.0.0.1) for the
    whole session; yields its URL."""
    from tests.services import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture
def s3_bucket(settings, s3_endpoint):
    """A new empty bucket, made the default storage of this process (the web); ``env`` gives it
    to a worker process (``tests.services.Worker``)."""
    from plie.settings import object_storage
    from tests.services import S3_CREDENTIALS, S3_REGION, bucket_environment, create_bucket

    bucket = create_bucket(s3_endpoint)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": object_storage(
            bucket,
            endpoint_url=s3_endpoint,
            region_name=S3_REGION,
            access_key=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            secret_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        ),
    }
    return SimpleNamespace(name=bucket, endpoint_url=s3_endpoint, env=bucket_environment(s3_endpoint, bucket))
