"""Shared fixtures: builders over the plain ORM and the seeded reference data."""

import pytest
from django.core.management import call_command


@pytest.fixture
def reference_data(db):
    """Regions and focus areas, as every real database has them."""
    call_command("loaddata", "regions", "focus_areas", verbosity=0)
