"""A falcon app over a real conductor manager and SQLite, for shape tests.

Calls go to ConductorManager directly, JSON round-tripped as RPC would,
so the API sees the same dicts (and the same exceptions) as in a
deployment.
"""

import json

import falcon.testing

from nova_api import app as api_app
from nova_conductor import manager as conductor_manager
from nova_conductor.db import actions as actions_db
from nova_conductor.db import aggregates as aggregates_db
from nova_conductor.db import catalog
from nova_conductor.db import instances as instances_db
from nova_conductor.db import migration
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers

UPTIME = ' 10:00:00 up 1 day, 2:03,  0 users,  load average: 0.10, 0.20, 0.30'


class FakeCompute:
    def get_host_uptime(self, ctxt, host):
        return UPTIME


class LocalConductor:
    """ConductorAPI's methods, answered in-process by the manager."""

    def __init__(self, manager):
        self.manager = manager

    def __getattr__(self, name):
        method = getattr(self.manager, name)

        def call(ctxt, *args, **kwargs):
            return json.loads(json.dumps(method(ctxt, *args, **kwargs)))
        return call


def seed():
    """Two hosts, flavors (one private), a live and a deleted server with
    actions, an aggregate with a zone, an image. Returns the ids."""
    facts = {}
    catalog.flavor_create({'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1,
                           'memory_mb': 512, 'root_gb': 1, 'swap': 0})
    catalog.flavor_create({'flavorid': '2', 'name': 'm1.swap', 'vcpus': 1,
                           'memory_mb': 1024, 'root_gb': 1, 'swap': 512,
                           'description': 'with swap',
                           'extra_specs': {'hw:cpu_policy': 'shared'}})
    catalog.flavor_create({'flavorid': 'private', 'name': 'secret',
                           'vcpus': 2, 'memory_mb': 2048, 'root_gb': 2,
                           'is_public': False})
    node = dbhelpers.make_node('host1')
    dbhelpers.make_node('host2')
    facts['node'] = node
    live = dbhelpers.make_instance(
        display_name='vm1', project_id='admin', user_id='admin',
        host='host1', node='host1', compute_node_id=node['id'])
    with session.writer() as s:
        actions_db.record_step(s, live['uuid'], 'compute__spawn',
                               host='host1', finish_action=False)
    gone = dbhelpers.make_instance(display_name='vm2', project_id='admin',
                                   user_id='admin')
    instances_db.destroy(gone['uuid'])
    facts['server'], facts['deleted_server'] = live['uuid'], gone['uuid']
    facts['request_id'] = dbhelpers.CTXT['request_id']
    agg = aggregates_db.create('agg1', 'az1')
    aggregates_db.add_host(agg['id'], 'host1')
    facts['aggregate'] = agg['id']
    facts['image'] = catalog.image_create({'name': 'img',
                                           'status': 'active'})['id']
    return facts


def make_client(tmp_path):
    session.configure('sqlite:///%s' % (tmp_path / 'nova.sqlite'))
    migration.db_sync()
    facts = seed()
    manager = conductor_manager.ConductorManager(scheduler_api=object(),
                                                 compute_api=FakeCompute())
    client = falcon.testing.TestClient(
        api_app.create_app(LocalConductor(manager)))
    client.facts = facts
    client.manager = manager
    return client
