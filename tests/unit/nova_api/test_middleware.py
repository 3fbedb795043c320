"""The JSON response encoder: one stored bad string never fails a read."""

import json
import logging

import falcon.testing
import pytest

from common import servicegroup
from nova_api import app as api_app
from nova_api import middleware
from tests.unit.nova_api import list_pages
from tests.unit.nova_api import test_server_shapes as shapes

BAD = 'x\ud800y'  # a lone surrogate: valid JSON escape, no UTF-8 for it


def test_encode_is_plain_utf8_json_when_the_text_is_valid():
    media = {'name': 'é 中 \U0001F600', 'n': [1, None, True, 2.5]}
    out = middleware.encode_json(media)
    assert json.loads(out) == media
    # Not \u-escaped: the UTF-8 bytes themselves.
    assert 'é 中 \U0001F600'.encode() in out


@pytest.mark.parametrize('media', [
    {'big': 2 ** 70},           # past orjson's 64-bit integers
    {1: 'int key', 'a': [{2: 3}]},
])
def test_encode_takes_what_json_takes(media):
    assert json.loads(middleware.encode_json(media)) == json.loads(
        json.dumps(media))


def test_encode_replaces_lone_surrogates_and_warns_with_the_request_id(
        caplog):
    with caplog.at_level(logging.WARNING, logger='nova_api.middleware'):
        out = middleware.encode_json({BAD: [BAD]}, 'req-42')
    assert json.loads(out) == {'x\ufffdy': ['x\ufffdy']}
    assert 'req-42' in caplog.text and 'surrogate' in caplog.text


class StoredBadRow(shapes.FakeConductor):
    """A row stored before text was checked at the edge."""

    def _bad(self):
        return dict(shapes.INSTANCE, display_name=BAD,
                    metadata={'role': BAD, BAD: 'v'}, tags=[BAD])

    def instance_get(self, ctxt, uuid, read_deleted=False):
        super().instance_get(ctxt, uuid, read_deleted)
        return self._bad()

    def instance_get_all(self, ctxt, filters=None, limit=None, marker=None,
                         sort=None):
        return [self._bad(), dict(shapes.INSTANCE, uuid='other')]

    def instance_list(self, ctxt, filters=None, limit=None, marker=None,
                      sort=None, fields=None):
        return list_pages.page_of(self.instance_get_all(
            ctxt, filters, limit, marker, sort), fields)


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(servicegroup, 'service_is_up', lambda svc: True)
    return falcon.testing.TestClient(api_app.create_app(StoredBadRow()))


@pytest.mark.parametrize('path', [
    '/v2.1/servers', '/v2.1/servers/detail',
    '/v2.1/servers/%s' % shapes.UUID,
    '/v2.1/servers/%s/metadata' % shapes.UUID,
    '/v2.1/servers/%s/tags' % shapes.UUID])
def test_reads_of_a_stored_bad_row_answer_200_with_replacement(
        client, path, caplog):
    with caplog.at_level(logging.WARNING, logger='nova_api.middleware'):
        resp = client.simulate_get(path, headers={
            'OpenStack-API-Version': 'compute 2.26'})
    assert resp.status_code == 200, resp.text
    assert '\ufffd' in resp.content.decode('utf-8')
    assert resp.headers['content-type'] == 'application/json'
    assert resp.headers['x-openstack-request-id'] in caplog.text


def test_the_list_still_shows_every_row(client):
    resp = client.simulate_get('/v2.1/servers/detail')
    names = [s['name'] for s in resp.json['servers']]
    assert names == ['x\ufffdy', shapes.INSTANCE['display_name']]


def test_each_request_is_one_info_line_with_its_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger='nova_api.middleware'):
        resp = client.simulate_get('/v2.1/servers/nope%0aFORGED',
                                   query_string='a=1')
    assert resp.status_code == 404
    [line] = [r for r in caplog.records if r.name == 'nova_api.middleware']
    assert line.levelno == logging.INFO
    message = line.getMessage()
    # The decoded newline is escaped: no forged second line.
    assert '\n' not in message and 'nope\\nFORGED?a=1' in message
    assert message.startswith('"GET /v2.1/servers/nope')
    assert 'status: 404' in message
    assert line.context.request_id == resp.headers['x-openstack-request-id']
