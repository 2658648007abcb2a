"""Fixtures for the channel tests; the harness itself is in channel_harness.py."""

from __future__ import annotations

import pytest
from channel_harness import domain
from rasa.shared.core.domain import Domain


@pytest.fixture
def domain_for_tests() -> Domain:
    return domain()
