"""Fixtures of the samples tests."""

import pytest
from sample_helpers import stocked_item


@pytest.fixture
def item(app, users):
    return stocked_item(users)
