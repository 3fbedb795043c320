"""What the conductor tells every metadata process reaches each one
(nova_api/metadata/rpcapi.py, manager.py, cmd.py)."""

import threading

import falcon.testing

from common import context
from common.conf import CONF
from nova_api.metadata import app as metadata_app
from nova_api.metadata import cmd
from nova_api.metadata import rpcapi
from tests.unit.nova_api.metadata import fakes


def test_forget_addresses_reaches_every_metadata_service(fake_rpc):
    CONF.set_override('metadata_listen', '127.0.0.1', 'api')
    CONF.set_override('metadata_listen_port', 0, 'api')
    servers, heard = [], []
    for host in ('api-1', 'api-2'):
        # (The fake transport keeps one queue per host name; RabbitMQ
        # gives every listener a fanout queue of its own.)
        CONF.set_override('host', host)
        server = cmd.make_server(fakes.Conductor(
            fakes.instance(1, '10.0.0.5')))
        service = server.rpc.manager.service
        event = threading.Event()
        plain = service.forget_addresses

        def forget(addresses, plain=plain, event=event):
            plain(addresses)
            event.set()
        service.forget_addresses = forget
        servers.append(server)
        heard.append(event)
    try:
        for server in servers:
            server.start()
        rpcapi.MetadataAPI().forget_addresses(
            context.get_admin_context(), ['10.0.0.5'])
        assert all(event.wait(10) for event in heard)
    finally:
        for server in servers:
            server.stop()


def test_a_forgotten_address_is_asked_again(fake_rpc):
    conductor = fakes.Conductor(fakes.instance(1, '10.0.0.5'))
    service = metadata_app.MetadataService(conductor)
    client = falcon.testing.TestClient(metadata_app.create_app(
        service=service))
    for _ in range(2):
        client.simulate_get('/openstack/latest/meta_data.json',
                            remote_addr='10.0.0.5')
    service.forget_addresses(['10.0.0.5', '10.0.0.77'])
    client.simulate_get('/openstack/latest/meta_data.json',
                        remote_addr='10.0.0.5')
    assert len(conductor.calls) == 2
