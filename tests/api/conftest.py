import pytest
from django.core.cache import cache

from plie.core.scoping import scope_for
from plie.core.tokens import token_create


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # the throttle counters
    yield
    cache.clear()


@pytest.fixture
def api(client):
    """``api(user, ecriture=False)``: a client calling with a new token of ``user``."""

    def make(user, ecriture=False):
        _, secret = token_create(scope=scope_for(user), owner=user, nom="test", ecriture=ecriture)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        return client

    return make
