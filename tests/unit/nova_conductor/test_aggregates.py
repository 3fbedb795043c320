"""Aggregates, availability zones and server groups in the conductor."""

import pytest
import sqlalchemy as sa

from common import exception
from nova_conductor import availability_zones
from nova_conductor.db import aggregates
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import server_groups
from tests.unit.nova_conductor import dbhelpers


def test_aggregate_hosts_metadata_and_node_feed(db):
    dbhelpers.make_node('h1')
    agg = aggregates.create('fast', availability_zone='az1')
    assert agg['availability_zone'] == 'az1'
    aggregates.add_host(agg['id'], 'h1')
    aggregates.set_metadata(agg['id'], {'ssd': 'true'})
    [node] = compute_db.compute_nodes_get_all()['nodes']
    assert node['availability_zone'] == 'az1'
    assert node['aggregates'][0]['metadata'] == {'availability_zone': 'az1',
                                                 'ssd': 'true'}
    aggregates.set_metadata(agg['id'], {'ssd': None})
    assert aggregates.get(agg['id'])['metadata'] == {
        'availability_zone': 'az1'}


def test_host_cannot_be_in_two_zones(db):
    dbhelpers.make_node('h1')
    a1 = aggregates.create('a1', 'az1')
    a2 = aggregates.create('a2', 'az2')
    plain = aggregates.create('plain')
    aggregates.add_host(a1['id'], 'h1')
    aggregates.add_host(plain['id'], 'h1')  # no AZ: allowed
    with pytest.raises(exception.Conflict):
        aggregates.add_host(a2['id'], 'h1')
    with pytest.raises(exception.Conflict):
        aggregates.set_metadata(plain['id'], {'availability_zone': 'az2'})


def test_renaming_onto_another_aggregates_name_is_a_conflict(db):
    # Found by the API fuzzer: the unique name's IntegrityError was a 500.
    aggregates.create('taken')
    agg = aggregates.create('mine', 'az1')
    with pytest.raises(exception.Conflict) as caught:
        aggregates.update(agg['id'], name='taken')
    assert caught.value.code == 409
    assert 'an aggregate named taken exists' in caught.value.message
    assert aggregates.get(agg['id'])['name'] == 'mine'


def test_unknown_host_and_non_empty_delete_are_refused(db):
    agg = aggregates.create('a')
    with pytest.raises(exception.ComputeHostNotFound):
        aggregates.add_host(agg['id'], 'nope')
    dbhelpers.make_node('h1')
    aggregates.add_host(agg['id'], 'h1')
    with pytest.raises(exception.Invalid):
        aggregates.delete(agg['id'])
    aggregates.remove_host(agg['id'], 'h1')
    aggregates.delete(agg['id'])
    with pytest.raises(exception.NotFound):
        aggregates.get(agg['id'])
    with pytest.raises(exception.Conflict):
        aggregates.create('b')
        aggregates.create('b')


def test_zones_list_hosts_by_aggregate_and_default(db):
    dbhelpers.make_node('h1')
    dbhelpers.make_node('h2')
    compute_db.service_heartbeat('ctl', 'nova-scheduler', 'scheduler')
    agg = aggregates.create('a', 'az1')
    aggregates.add_host(agg['id'], 'h1')
    zones = {z['name']: z for z in availability_zones.zones()}
    assert set(zones) == {'az1', 'nova', 'internal'}
    assert list(zones['az1']['hosts']) == ['h1']
    assert list(zones['nova']['hosts']) == ['h2']
    assert zones['az1']['available'] is True
    assert 'nova-scheduler' in zones['internal']['hosts']['ctl']


def _listed_zones():
    return {z['name'] for z in availability_zones.zones()} - {'internal'}


NAMES = ('az1', 'az2', 'nova', 'internal', 'nope', '')


def test_zone_exists_says_what_the_zone_list_says(db):
    def check():
        listed = _listed_zones()
        assert {n for n in NAMES if availability_zones.zone_exists(n)} \
            == listed & set(NAMES)
        return listed
    # No computes: not even the default zone.
    compute_db.service_heartbeat('ctl', 'nova-scheduler', 'scheduler')
    assert check() == set()
    dbhelpers.make_node('h1')
    assert check() == {'nova'}
    agg = aggregates.create('a', 'az1')
    aggregates.add_host(agg['id'], 'h1')
    # h1 left the default zone, and no other compute is in it.
    assert check() == {'az1'}
    empty = aggregates.create('b', 'az2')  # not listed without a host
    plain = aggregates.create('c')  # no zone: its host stays in 'nova'
    dbhelpers.make_node('h2')
    aggregates.add_host(plain['id'], 'h2')
    assert check() == {'az1', 'nova'}
    dbhelpers.make_node('h3')
    aggregates.add_host(empty['id'], 'h3')
    assert check() == {'az1', 'az2', 'nova'}
    # Its service deleted, h3 still names az2 (as the list shows it).
    with db.writer() as s:
        s.execute(sa.delete(models.Service).where(
            models.Service.host == 'h3'))
    assert check() == {'az1', 'az2', 'nova'}


def test_server_group_members_and_hosts(db):
    group = server_groups.create('g', 'anti-affinity', {}, 'p1', 'u1')
    inst = dbhelpers.make_instance()
    server_groups.add_members(group['uuid'], [inst['uuid']])
    assert server_groups.get(group['uuid'])['members'] == [inst['uuid']]
    assert server_groups.member_hosts(group['uuid']) == []
    transitions_db.update(inst['uuid'], {'host': 'h1'})
    assert server_groups.member_hosts(group['uuid']) == ['h1']
    instances_db.destroy(inst['uuid'])
    assert server_groups.get(group['uuid'])['members'] == []
    server_groups.delete(group['uuid'])
    with pytest.raises(exception.NotFound):
        server_groups.get(group['uuid'])
