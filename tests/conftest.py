import os

import pytest

from certification.roles import ensure_groups
from home.services import site_setup

# Playwright's sync API runs an event loop in the test thread; Django's live-server tests
# would otherwise refuse database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def site(db):
    """The locales, the home page in both languages and the roles' groups."""
    ensure_groups()
    return site_setup()
