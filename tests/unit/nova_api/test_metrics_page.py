"""The API's request metrics, and /metrics on the API's port (the
all-in-one's): labels by route template, loopback callers only."""

import falcon.testing
import pytest

from common import metrics
from common.conf import CONF
from nova_api import app as api_app
from tests.unit.common.test_metrics import value
from tests.unit.nova_api.test_app import FakeConductor


@pytest.fixture
def client():
    CONF.set_override('enabled', True, group='metrics')
    metrics.reset()
    metrics.setup()
    yield falcon.testing.TestClient(api_app.create_app(
        FakeConductor(), metrics_route=True))
    metrics.reset()
    CONF.clear_override('enabled', group='metrics')


def test_requests_are_counted_by_route_template_and_status(client):
    assert client.simulate_get('/v2.1/flavors').status_code == 200
    for name in ('a', 'b'):
        client.simulate_get('/v2.1/flavors/no-such-%s' % name)
    client.simulate_request('BREW', '/v2.1/flavors')
    text = client.simulate_get('/metrics').text
    assert value(text, 'nova_api_requests_total', method='GET',
                 route='/v2.1/flavors', status='200') == 1
    # One series for every flavor id, not one per id.
    assert value(text, 'nova_api_requests_total', method='GET',
                 route='/v2.1/flavors/{flavor_id}', status='404') == 2
    assert value(text, 'nova_api_request_seconds_count', method='GET',
                 route='/v2.1/flavors/{flavor_id}') == 2
    # A method of the caller's invention is 'other' (falcon refuses it).
    assert value(text, 'nova_api_requests_total', method='other',
                 route='/v2.1/flavors', status='400') == 1


def test_metrics_are_for_loopback_callers_only(client):
    assert client.simulate_get('/metrics').status_code == 200
    resp = client.simulate_get('/metrics', remote_addr='192.0.2.7')
    assert resp.status_code == 403
    assert 'loopback callers only' in resp.json['forbidden']['message']
    # Opened to the network by the operator: anyone who reaches it.
    CONF.set_override('listen', '0.0.0.0', group='metrics')
    try:
        assert client.simulate_get(
            '/metrics', remote_addr='192.0.2.7').status_code == 200
    finally:
        CONF.clear_override('listen', group='metrics')


def test_nova_api_alone_has_no_metrics_route():
    CONF.set_override('enabled', True, group='metrics')
    try:
        client = falcon.testing.TestClient(api_app.create_app(
            FakeConductor()))
        assert client.simulate_get('/metrics').status_code == 404
    finally:
        CONF.clear_override('enabled', group='metrics')
