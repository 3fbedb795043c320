"""[DEFAULT] enabled_apis: nova-api serves the metadata service too when
asked, each on its own port."""

import requests

from common import exception
from common.conf import CONF
from nova_api import cmd as api_cmd


class _Conductor:
    """No instance is known: every address is unknown."""

    def instance_get_by_fixed_ip(self, ctxt, address):
        raise exception.InstanceNotFound(instance_id=address)


def _serve(apis):
    CONF.set_override('enabled_apis', apis)
    CONF.set_override('osapi_compute_listen', '127.0.0.1')
    CONF.set_override('osapi_compute_listen_port', 0)
    CONF.set_override('metadata_listen', '127.0.0.1', 'api')
    CONF.set_override('metadata_listen_port', 0, 'api')
    try:
        return api_cmd.make_servers(_Conductor())
    finally:
        for name in ('enabled_apis', 'osapi_compute_listen',
                     'osapi_compute_listen_port'):
            CONF.clear_override(name)
        for name in ('metadata_listen', 'metadata_listen_port'):
            CONF.clear_override(name, 'api')


def test_by_default_only_the_compute_api():
    servers = _serve(['osapi_compute'])
    assert [s.name for s in servers] == ['nova-api']


def test_metadata_listed_serves_it_on_its_own_port(fake_rpc):
    servers = _serve(['osapi_compute', 'metadata', 'metadata'])
    assert [s.name for s in servers] == ['nova-api', 'nova-api-metadata']
    try:
        for server in servers:
            server.start()
        compute, metadata = servers
        assert compute.port != metadata.port
        resp = requests.get('http://127.0.0.1:%d/openstack/latest/'
                            'meta_data.json' % metadata.port, timeout=5)
        # From 127.0.0.1, not a known fixed IP: nothing to say.
        assert resp.status_code == 404
        assert resp.headers['Content-Type'].startswith('text/plain')
        assert requests.get('http://127.0.0.1:%d/' % compute.port,
                            timeout=5).json()['versions']
    finally:
        for server in servers:
            server.stop()


def test_ec2_listed_serves_it_on_its_own_port():
    CONF.set_override('port', 0, 'ec2')
    CONF.set_override('listen', '127.0.0.1', 'ec2')
    try:
        servers = _serve(['osapi_compute', 'ec2'])
    finally:
        CONF.clear_override('port', 'ec2')
        CONF.clear_override('listen', 'ec2')
    assert [s.name for s in servers] == ['nova-api', 'nova-api-ec2']
    try:
        for server in servers:
            server.start()
        resp = requests.get('http://127.0.0.1:%d/' % servers[1].port,
                            timeout=5)
        # Unsigned: an EC2 error document, not the Compute API's JSON.
        assert resp.status_code == 401
        assert '<Code>AuthFailure</Code>' in resp.text
    finally:
        for server in servers:
            server.stop()
