"""Fixtures of the API's unit tests."""

import pytest

from common import rpc
from common.conf import CONF


@pytest.fixture
def fake_rpc():
    """oslo.messaging's in-memory transport, for servers that listen on a
    topic (the metadata service's fanout) and clients that send to it."""
    owned = rpc.TRANSPORT is None
    rpc.init(CONF, url='fake://')
    yield rpc.TRANSPORT
    if owned:
        rpc.cleanup()
