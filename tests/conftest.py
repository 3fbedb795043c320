"""Shared pytest setup: every test starts from the default configuration."""

import pytest

from common.conf import CONF


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()
