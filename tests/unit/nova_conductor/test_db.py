"""Conductor database layer on SQLite: claims, compare-and-swap, IPs, actions."""

import concurrent.futures

import pytest
import sqlalchemy as sa
from alembic import autogenerate
from alembic import migration as alembic_migration

from common import context as nova_context
from common import exception
from common import service_version
from common import states
from nova_conductor.db import actions as actions_db
from nova_conductor.db import catalog
from nova_conductor.db import compute as compute_db
from nova_conductor.db import health
from nova_conductor.db import instance_create
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import network as network_db
from nova_conductor.db import placement as placement_db
from nova_conductor.db import session as db_session
from tests.unit.nova_conductor import dbhelpers


def test_migrations_match_models(db):
    with db.get_engine().connect() as conn:
        ctx = alembic_migration.MigrationContext.configure(conn)
        diff = autogenerate.compare_metadata(ctx, models.Base.metadata)
    assert diff == []


def test_claim_takes_resources_and_free_gives_them_back(db):
    node = dbhelpers.make_node(vcpus=2, memory_mb=2048)
    inst = dbhelpers.make_instance()
    compute_db.claim(inst['uuid'], node['id'], dbhelpers.FLAVOR)
    got = compute_db.compute_node_get(node['id'])
    assert (got['vcpus_used'], got['memory_mb_used'], got['local_gb_used'],
            got['running_vms']) == (1, 512, 1, 1)
    assert compute_db.free(inst['uuid']) is True
    assert compute_db.free(inst['uuid']) is False  # freed exactly once
    got = compute_db.compute_node_get(node['id'])
    assert (got['vcpus_used'], got['memory_mb_used'],
            got['running_vms']) == (0, 0, 0)


def test_claim_refused_when_node_is_full(db):
    node = dbhelpers.make_node(vcpus=8, memory_mb=1024, reserved_mb=0)
    first, second, third = (dbhelpers.make_instance() for _ in range(3))
    compute_db.claim(first['uuid'], node['id'], dbhelpers.FLAVOR)
    compute_db.claim(second['uuid'], node['id'], dbhelpers.FLAVOR)
    with pytest.raises(exception.ResourcesUnavailable):
        compute_db.claim(third['uuid'], node['id'], dbhelpers.FLAVOR)
    assert compute_db.compute_node_get(node['id'])['memory_mb_used'] == 1024


def test_claim_honours_reserved_and_ratio(db):
    # (2048 - 512) * 1.5 = 2304 MB usable: four 512 MB fit, the fifth not.
    node = dbhelpers.make_node(vcpus=8, memory_mb=2048, reserved_mb=512,
                               ram_ratio=1.5)
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(5)]
    for uuid in uuids[:4]:
        compute_db.claim(uuid, node['id'], dbhelpers.FLAVOR)
    with pytest.raises(exception.ResourcesUnavailable):
        compute_db.claim(uuids[4], node['id'], dbhelpers.FLAVOR)


def test_claim_uses_scheduler_limits_when_given(db):
    # An aggregate ratio of 2.0 lets the scheduler offer 2048 MB on a
    # 1024 MB node whose own ratio is 1.0; the claim honours that ceiling.
    node = dbhelpers.make_node(vcpus=8, memory_mb=1024)
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(5)]
    limits = {'vcpu': 8, 'memory_mb': 2048, 'disk_gb': 100}
    for uuid in uuids[:4]:
        compute_db.claim(uuid, node['id'], dbhelpers.FLAVOR, limits)
    with pytest.raises(exception.ResourcesUnavailable):
        compute_db.claim(uuids[4], node['id'], dbhelpers.FLAVOR, limits)
    with pytest.raises(exception.ResourcesUnavailable):
        compute_db.claim(uuids[4], node['id'], dbhelpers.FLAVOR)


def test_concurrent_claims_never_overcommit(db):
    node = dbhelpers.make_node(vcpus=64, memory_mb=512 * 5)
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(20)]

    def claim(uuid):
        try:
            compute_db.claim(uuid, node['id'], dbhelpers.FLAVOR)
            return True
        except exception.ResourcesUnavailable:
            return False
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, uuids))
    assert results.count(True) == 5
    got = compute_db.compute_node_get(node['id'])
    assert got['memory_mb_used'] == 512 * 5 and got['running_vms'] == 5


def test_update_is_compare_and_swap(db):
    inst = dbhelpers.make_instance()
    transitions_db.update(inst['uuid'], {'task_state': states.NETWORKING},
                        expected_task_state=states.SCHEDULING)
    with pytest.raises(exception.UnexpectedTaskState):
        transitions_db.update(inst['uuid'], {'task_state': states.SPAWNING},
                            expected_task_state=states.SCHEDULING)
    assert instances_db.get(inst['uuid'])['task_state'] == \
        states.NETWORKING


def test_task_state_changes_become_action_events(db):
    inst = dbhelpers.make_instance()
    for old, new in ((states.SCHEDULING, states.NETWORKING),
                     (states.NETWORKING, states.BLOCK_DEVICE_MAPPING),
                     (states.BLOCK_DEVICE_MAPPING, states.SPAWNING)):
        transitions_db.update(inst['uuid'], {'task_state': new},
                            expected_task_state=old, host='host1')
    transitions_db.update(inst['uuid'], {'task_state': None,
                                       'vm_state': states.ACTIVE},
                        expected_task_state=states.SPAWNING)
    action = actions_db.action_get_by_request_id(inst['uuid'], 'req-1')
    assert action['action'] == 'create'
    assert action['finish_time'] is not None
    assert [e['event'] for e in action['events']] == [
        'scheduling', 'networking', 'block_device_mapping', 'spawning']
    assert {e['result'] for e in action['events']} == {'Success'}


def test_advance_passes_through_steps_with_an_event_each(db):
    node = dbhelpers.make_node()
    inst = dbhelpers.make_instance(host='host1', compute_node_id=node['id'])
    compute_db.count_failed_build(node['host'])
    with pytest.raises(exception.InstanceNotFound):
        transitions_db.advance('no-such-instance', {'task_state': None},
                             states.SCHEDULING)
    transitions_db.advance(inst['uuid'], {'task_state': states.NETWORKING},
                         states.SCHEDULING, host='host1')
    transitions_db.advance(inst['uuid'], {'task_state': states.SPAWNING},
                         states.NETWORKING,
                         through=[states.BLOCK_DEVICE_MAPPING], host='host1')
    with pytest.raises(exception.UnexpectedTaskState):
        transitions_db.advance(inst['uuid'], {'task_state': None},
                             states.NETWORKING)
    assert instances_db.get(inst['uuid'])['task_state'] == states.SPAWNING
    transitions_db.advance(inst['uuid'], {'task_state': None,
                                        'vm_state': states.ACTIVE},
                         states.SPAWNING, host='host1')
    action = actions_db.action_get_by_request_id(inst['uuid'], 'req-1')
    assert [(e['event'], e['result'], e['host'])
            for e in action['events']] == [
        ('scheduling', 'Success', 'host1'),
        ('networking', 'Success', 'host1'),
        ('block_device_mapping', 'Success', 'host1'),
        ('spawning', 'Success', 'host1')]
    assert all(e['finish_time'] for e in action['events'])
    assert action['finish_time'] is not None
    # Reaching active clears the host's failed-build streak.
    assert compute_db.compute_node_get(node['id'])['failed_builds'] == 0


def test_advance_to_active_with_no_failed_builds_writes_three_times(db):
    node = dbhelpers.make_node()
    inst = dbhelpers.make_instance(host='host1', compute_node_id=node['id'])
    transitions_db.advance(inst['uuid'], {'task_state': states.SPAWNING},
                         states.SCHEDULING, host='host1')
    statements = dbhelpers.statements_of(lambda: transitions_db.advance(
        inst['uuid'], {'task_state': None, 'vm_state': states.ACTIVE},
        states.SPAWNING, host='host1'))
    # One locking read (states, streak and action at once), then the
    # instance, the open event and the action: no streak to clear.
    assert [s.split()[0] for s in statements] == [
        'SELECT', 'UPDATE', 'UPDATE', 'UPDATE']
    assert not [s for s in statements if 'UPDATE compute_nodes' in s]
    action = actions_db.action_get_by_request_id(inst['uuid'], 'req-1')
    assert [e['event'] for e in action['events']] == ['scheduling',
                                                      'spawning']
    assert action['finish_time'] is not None


def test_a_batch_of_advances_costs_the_statements_of_one(db):
    node = dbhelpers.make_node()
    uuids = [dbhelpers.make_instance(host='host1', compute_node_id=node['id'])['uuid']
             for _ in range(5)]
    advances = [dict(instance_uuid=u, values={'task_state': states.SPAWNING},
                     expected_task_state=states.SCHEDULING,
                     through=[states.NETWORKING], host='host1')
                for u in uuids]
    advances[2]['expected_task_state'] = states.SPAWNING
    outcomes = []
    statements = dbhelpers.statements_of(
        lambda: outcomes.extend(transitions_db.advance_together(advances)))
    # One locking read; the rows, the open events, the new events.
    assert [s.split()[0] for s in statements] == [
        'SELECT', 'UPDATE', 'UPDATE', 'INSERT']
    assert isinstance(outcomes[2], exception.UnexpectedTaskState)
    assert outcomes[:2] + outcomes[3:] == [None] * 4
    assert [instances_db.get(u)['task_state'] for u in uuids] == [
        states.SPAWNING] * 2 + [states.SCHEDULING] + [states.SPAWNING] * 2
    for uuid in uuids[:2] + uuids[3:]:
        action = actions_db.action_get_by_request_id(uuid, 'req-1')
        assert [(e['event'], e['result']) for e in action['events']] == [
            ('scheduling', 'Success'), ('networking', 'Success'),
            ('spawning', None)]


def test_an_instance_twice_in_a_batch_moves_twice(db):
    uuid = dbhelpers.make_instance()['uuid']
    outcomes = transitions_db.advance_together([
        dict(instance_uuid=uuid, values={'task_state': states.SPAWNING},
             expected_task_state=states.SCHEDULING),
        dict(instance_uuid=uuid, values={'task_state': None,
                                         'vm_state': states.ACTIVE},
             expected_task_state=states.SPAWNING)])
    assert outcomes == [None, None]
    got = instances_db.get(uuid)
    assert (got['vm_state'], got['task_state']) == (states.ACTIVE, None)
    action = actions_db.action_get_by_request_id(uuid, 'req-1')
    assert [(e['event'], e['finish_time'] is not None)
            for e in action['events']] == [('scheduling', True),
                                           ('spawning', True)]
    assert action['finish_time'] is not None


def test_advance_records_steps_on_the_newest_action(db):
    inst = dbhelpers.make_instance(host='host1')
    with db_session.writer() as s:
        actions_db.action_start(s, inst['uuid'], 'other',
                                dict(dbhelpers.CTXT, request_id='req-2'))
    transitions_db.advance(inst['uuid'], {'task_state': states.SPAWNING},
                         states.SCHEDULING, host='host1')
    newest = actions_db.action_get_by_request_id(inst['uuid'], 'req-2')
    assert [e['event'] for e in newest['events']] == ['spawning']


def test_an_action_names_the_user_of_a_real_request_context(db):
    # What the API sends over RPC: oslo.context calls the user 'user'.
    inst = dbhelpers.make_instance(host='host1')
    ctxt = nova_context.RequestContext(user_id='alice', project_id='p1',
                                       request_id='req-real')
    with db_session.writer() as s:
        actions_db.action_start(s, inst['uuid'], 'stop', ctxt.to_dict())
    action = actions_db.action_get_by_request_id(inst['uuid'], 'req-real')
    assert (action['user_id'], action['project_id']) == ('alice', 'p1')


def test_advance_allocates_the_ip_in_its_own_transaction(db):
    inst = dbhelpers.make_instance(host='host1')
    ip = transitions_db.advance(
        inst['uuid'], {'task_state': states.SPAWNING}, states.SCHEDULING,
        through=[states.NETWORKING, states.BLOCK_DEVICE_MAPPING],
        host='host1', ip_network=('private', '10.0.0.0/29'))
    assert (ip['address'], ip['network'], ip['instance_uuid']) == (
        '10.0.0.2', 'private', inst['uuid'])
    got = instances_db.get(inst['uuid'])
    assert got['task_state'] == states.SPAWNING
    assert [i['address'] for i in got['fixed_ips']] == ['10.0.0.2']
    action = actions_db.action_get_by_request_id(inst['uuid'], 'req-1')
    assert [e['event'] for e in action['events']] == [
        'scheduling', 'networking', 'block_device_mapping', 'spawning']


def test_advance_with_no_free_ip_changes_nothing(db):
    # /30: .1 is the gateway, .2 the only address.
    first = dbhelpers.make_instance(host='host1')
    second = dbhelpers.make_instance(host='host1')
    network_db.allocate_fixed_ip(first['uuid'], 'private', '10.0.0.0/30')
    with pytest.raises(exception.FixedIpsExhausted):
        transitions_db.advance(
            second['uuid'], {'task_state': states.SPAWNING},
            states.SCHEDULING, through=[states.NETWORKING], host='host1',
            ip_network=('private', '10.0.0.0/30'))
    got = instances_db.get(second['uuid'])
    assert got['task_state'] == states.SCHEDULING
    action = actions_db.action_get_by_request_id(second['uuid'], 'req-1')
    assert [e['event'] for e in action['events']] == ['scheduling']


def test_an_address_taken_meanwhile_is_skipped(db, monkeypatch):
    """A racing transaction's address (seen free when the used addresses
    were read) costs the loser no error: it takes the next one."""
    first, second = dbhelpers.make_instance(), dbhelpers.make_instance()
    network_db.allocate_fixed_ip(first['uuid'], 'private', '10.0.0.0/29')
    # The second allocation saw the addresses as they were before.
    monkeypatch.setattr(network_db, '_free_addresses', lambda s, n, c: iter(
        ['10.0.0.2', '10.0.0.3']))
    ip = network_db.allocate_fixed_ip(second['uuid'], 'private',
                                      '10.0.0.0/29')
    assert ip['address'] == '10.0.0.3'


def test_set_error_records_fault_and_frees_everything(db):
    node = dbhelpers.make_node()
    inst = dbhelpers.make_instance()
    compute_db.claim(inst['uuid'], node['id'], dbhelpers.FLAVOR)
    network_db.allocate_fixed_ip(inst['uuid'], 'private', '10.0.0.0/29')
    got = transitions_db.set_error(inst['uuid'], 500,
                                   'No valid host was found.')
    assert got['vm_state'] == states.ERROR
    assert got['fault']['message'] == 'No valid host was found.'
    assert got['fixed_ips'] == []
    assert compute_db.compute_node_get(node['id'])['running_vms'] == 0
    action = actions_db.action_get_by_request_id(inst['uuid'], 'req-1')
    assert action['events'][-1]['result'] == 'Error'


def test_fixed_ips_are_unique_and_exhaust(db):
    # /29: .1 is the gateway, .7 broadcast: .2 - .6 are handed out.
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(6)]
    addresses = [network_db.allocate_fixed_ip(u, 'private', '10.0.0.0/29')
                 ['address'] for u in uuids[:5]]
    assert addresses == ['10.0.0.%d' % i for i in range(2, 7)]
    again = network_db.allocate_fixed_ip(uuids[0], 'private', '10.0.0.0/29')
    assert again['address'] == '10.0.0.2'
    with pytest.raises(exception.FixedIpsExhausted):
        network_db.allocate_fixed_ip(uuids[5], 'private', '10.0.0.0/29')
    instances_db.destroy(uuids[0])
    reused = network_db.allocate_fixed_ip(uuids[5], 'private', '10.0.0.0/29')
    assert reused['address'] == '10.0.0.2'


def test_destroy_hides_instance_and_frees(db):
    node = dbhelpers.make_node()
    inst = dbhelpers.make_instance()
    compute_db.claim(inst['uuid'], node['id'], dbhelpers.FLAVOR)
    instances_db.destroy(inst['uuid'])
    with pytest.raises(exception.InstanceNotFound):
        instances_db.get(inst['uuid'])
    assert instances_db.get(inst['uuid'], read_deleted=True)['deleted']
    assert compute_db.compute_node_get(node['id'])['memory_mb_used'] == 0
    assert instances_db.get_all({'project_id': 'p1'}) == []


def test_list_pages_newest_first(db):
    made = [dbhelpers.make_instance(display_name='vm%d' % i)['uuid']
            for i in range(5)]
    page1 = instances_db.get_all({'project_id': 'p1'}, limit=2)
    page2 = instances_db.get_all({'project_id': 'p1'}, limit=2,
                                 marker=page1[-1]['uuid'])
    page3 = instances_db.get_all({'project_id': 'p1'}, limit=2,
                                 marker=page2[-1]['uuid'])
    seen = [i['uuid'] for i in page1 + page2 + page3]
    assert seen == list(reversed(made))
    with pytest.raises(exception.Invalid):
        instances_db.get_all({}, marker='nope')
    # A zero limit is an empty page; None is no limit.
    assert instances_db.get_all({'project_id': 'p1'}, limit=0) == []
    assert len(instances_db.get_all({'project_id': 'p1'}, limit=None)) == 5


def test_compute_nodes_changed_since_is_incremental(db):
    dbhelpers.make_node('host1')
    first = compute_db.compute_nodes_get_all()
    assert [n['host'] for n in first['nodes']] == ['host1']
    assert first['nodes'][0]['service_updated_at'] is not None
    # Nothing changed since (beyond the one-second overlap window).
    with db.writer() as s:
        s.execute(sa.update(models.ComputeNode).values(
            updated_at=models.utcnow().replace(year=2000)))
        s.execute(sa.update(models.Service).values(
            updated_at=models.utcnow().replace(year=2000),
            last_seen_up=models.utcnow().replace(year=2000)))
    assert compute_db.compute_nodes_get_all(first['now'])['nodes'] == []
    dbhelpers.make_node('host2')
    changed = compute_db.compute_nodes_get_all(first['now'])['nodes']
    assert [n['host'] for n in changed] == ['host2']


def test_full_and_changed_reads_describe_nodes_alike(db):
    # A full read takes every placed instance and aggregate link without
    # naming the nodes; it must say what a read of changed nodes says.
    from nova_conductor.db import aggregates as aggregates_db
    for host in ('host1', 'host2', 'host3'):
        dbhelpers.make_node(host)
    agg = aggregates_db.create('fast', availability_zone='az1')
    aggregates_db.add_host(agg['id'], 'host2')
    node2 = compute_db.compute_nodes_get_all()['nodes'][1]
    inst = dbhelpers.make_instance(vm_state=states.ACTIVE, task_state=None)
    with db.writer() as s:
        s.execute(sa.update(models.Instance).values(
            compute_node_id=node2['id'], host='host2'))
        s.execute(sa.update(models.Service).where(
            models.Service.host == 'host1').values(
            disabled=True, disabled_reason='maintenance'))
        s.execute(sa.update(models.ComputeNode).where(
            models.ComputeNode.host == 'host3').values(service_id=None))
    full = compute_db.compute_nodes_get_all()
    changed = compute_db.compute_nodes_get_all('2000-01-01T00:00:00+00:00')
    assert full['nodes'] == changed['nodes']
    host1, host2, host3 = full['nodes']
    assert (host1['service_disabled'], host1['service_disabled_reason']) \
        == (True, 'maintenance')
    assert host2['instances'] == {inst['uuid']: {
        'project_id': 'p1', 'vm_state': states.ACTIVE, 'task_state': None}}
    assert host2['num_instances'] == 1 and host1['num_instances'] == 0
    assert [a['name'] for a in host2['aggregates']] == ['fast']
    assert host2['availability_zone'] == 'az1'
    assert host3['service_uuid'] is None
    assert host3['service_forced_down'] is False
    assert full['down'] == [host3['id']]
    assert host1['supported_instances'] == [['x86_64', 'test', 'hvm']]


def test_flavor_create_conflicts_and_extra_specs(db):
    made = catalog.flavor_create({'name': 'f1', 'flavorid': '10', 'vcpus': 1,
                                  'memory_mb': 64, 'root_gb': 0,
                                  'extra_specs': {'hw:cpu_policy': 'shared'}})
    assert made['extra_specs'] == {'hw:cpu_policy': 'shared'}
    with pytest.raises(exception.FlavorExists):
        catalog.flavor_create({'name': 'f1', 'vcpus': 1, 'memory_mb': 64})
    catalog.flavor_delete('10')
    with pytest.raises(exception.FlavorNotFound):
        catalog.flavor_get('10')


def test_create_returns_the_stored_row_without_reading_it_back(db):
    created = []
    statements = dbhelpers.statements_of(lambda: created.append(
        instance_create.create_within_quota(
            [{'display_name': 'vm', 'project_id': 'p1', 'user_id': 'u1',
              'flavor': dbhelpers.FLAVOR, 'vcpus': 1, 'memory_mb': 512,
              'root_gb': 1, 'metadata': {'k': 'v'},
              'vm_state': states.BUILDING,
              'task_state': states.SCHEDULING}],
            dbhelpers.CTXT, 'p1')[0]))
    assert not [s for s in statements if s.startswith('SELECT') and
                'FROM instances' in s and 'count' not in s]
    [instance] = created
    assert instance == instances_db.get(instance['uuid'])
    assert instance['metadata'] == {'k': 'v'} and instance['tags'] == []
    assert instance['deleted'] is False and instance['id'] > 0


def _choice(node):
    return {'host': node['host'], 'nodename': node['hypervisor_hostname'],
            'compute_node_id': node['id']}


def test_new_instances_are_placed_together_with_one_outcome_each(db):
    roomy = dbhelpers.make_node('roomy')
    full = dbhelpers.make_node('full', memory_mb=256)
    first, second, third = (dbhelpers.make_instance() for _ in range(3))
    gone = dbhelpers.make_instance()
    instances_db.destroy(gone['uuid'])
    outcomes = placement_db.place_new([
        {'instance_uuid': uuid, 'choice': _choice(node),
         'flavor': dbhelpers.FLAVOR}
        for uuid, node in ((first['uuid'], roomy), (second['uuid'], full),
                           (gone['uuid'], roomy), (third['uuid'], roomy),
                           (third['uuid'], roomy))])
    placed, refused, not_found, placed_too, twice = outcomes
    assert (placed['uuid'], placed['host'], placed['availability_zone']) \
        == (first['uuid'], 'roomy', 'nova')
    assert placed == instances_db.get(first['uuid'])
    assert isinstance(refused, exception.ResourcesUnavailable)
    assert isinstance(not_found, exception.InstanceNotFound)
    assert placed_too['host'] == 'roomy'
    # The same instance asked twice is claimed once.
    assert isinstance(twice, exception.UnexpectedTaskState)
    got = compute_db.compute_node_get(roomy['id'])
    assert (got['memory_mb_used'], got['running_vms']) == (1024, 2)
    # A refused request wrote nothing.
    assert instances_db.get(second['uuid'])['host'] is None
    assert compute_db.allocation_get(second['uuid']) is None
    assert compute_db.compute_node_get(full['id'])['running_vms'] == 0


def test_placing_several_costs_the_statements_of_one_transaction(db):
    node = dbhelpers.make_node()
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(4)]
    statements = dbhelpers.statements_of(lambda: placement_db.place_new([
        {'instance_uuid': uuid, 'choice': _choice(node),
         'flavor': dbhelpers.FLAVOR} for uuid in uuids]))
    kinds = [' '.join(s.split()[:3]) for s in statements]
    # One locking read, one zone read, a claim and an allocation each,
    # then one UPDATE of the instances (executemany).
    assert kinds.count('UPDATE instances SET') == 1
    assert kinds.count('UPDATE compute_nodes SET') == 4
    assert len([k for k in kinds if k.startswith('SELECT')]) == 2
    assert all(instances_db.get(u)['host'] == node['host'] for u in uuids)


def test_placement_records_the_hosts_zone(db):
    from nova_conductor.db import aggregates
    node = dbhelpers.make_node('h1')
    agg = aggregates.create('fast', availability_zone='az1')
    aggregates.add_host(agg['id'], 'h1')
    aggregates.add_host(aggregates.create('plain')['id'], 'h1')
    with db_session.reader() as s:
        assert aggregates.zones_of(s, ['h1', 'h2']) == {'h1': 'az1',
                                                        'h2': 'nova'}
    inst = dbhelpers.make_instance()
    [placed] = placement_db.place_new([{
        'instance_uuid': inst['uuid'], 'choice': _choice(node),
        'flavor': dbhelpers.FLAVOR}])
    assert placed['availability_zone'] == 'az1'
    other = dbhelpers.make_instance()
    assert placement_db.claim_and_place(
        other['uuid'], _choice(node), dbhelpers.FLAVOR)[
        'availability_zone'] == 'az1'


def test_heartbeat_that_loses_the_race_to_create_its_service(db,
                                                              monkeypatch):
    # Two workers of one service start together: both look, find nothing
    # and insert. Here the other worker's row is already in when this one
    # looked and missed it.
    first = compute_db.service_heartbeat('ctl', 'nova-conductor',
                                         'conductor')
    real_service = compute_db._service
    misses = []

    def missed_once(s, host, binary):
        if not misses:
            misses.append(host)
            return None
        return real_service(s, host, binary)
    monkeypatch.setattr(compute_db, '_service', missed_once)
    second = compute_db.service_heartbeat('ctl', 'nova-conductor',
                                          'conductor')
    assert misses == ['ctl']
    assert second['id'] == first['id']
    assert second['report_count'] == 2
    assert len(compute_db.service_get_all('nova-conductor')) == 1


def test_a_first_placement_of_an_instance_placed_already_is_refused(db):
    # Two copies of one build (a create or takeover whose COMMIT was lost)
    # meet here: the first holds the claim, the second claims nothing.
    a, b = dbhelpers.make_node('a'), dbhelpers.make_node('b')
    inst = dbhelpers.make_instance()
    placement_db.claim_and_place(inst['uuid'], _choice(a), dbhelpers.FLAVOR,
                                 fresh=True)
    with pytest.raises(exception.UnexpectedTaskState):
        placement_db.claim_and_place(inst['uuid'], _choice(b),
                                     dbhelpers.FLAVOR, fresh=True)
    [again] = placement_db.place_new([{'instance_uuid': inst['uuid'],
                                       'choice': _choice(b),
                                       'flavor': dbhelpers.FLAVOR}])
    assert isinstance(again, exception.UnexpectedTaskState)
    assert instances_db.get(inst['uuid'])['host'] == 'a'
    assert compute_db.compute_node_get(b['id'])['running_vms'] == 0
    assert compute_db.compute_node_get(a['id'])['running_vms'] == 1


def test_service_get_all_of_some_hosts(db, monkeypatch):
    monkeypatch.setattr(compute_db, 'HOSTS_PER_QUERY', 2)
    for host in ('h1', 'h2', 'h3', 'h4', 'h5'):
        dbhelpers.make_node(host)
    compute_db.service_heartbeat('h2', 'nova-scheduler', 'scheduler')
    every = compute_db.service_get_all('nova-compute')
    assert [s['host'] for s in every] == ['h1', 'h2', 'h3', 'h4', 'h5']
    some = compute_db.service_get_all('nova-compute',
                                      ['h5', 'h1', 'h4', 'nope', 'h2'])
    # Across IN lists of HOSTS_PER_QUERY, still in id order.
    assert [s['host'] for s in some] == ['h1', 'h2', 'h4', 'h5']
    assert [s['binary'] for s in compute_db.service_get_all(
        None, ['h2'])] == ['nova-compute', 'nova-scheduler']
    assert compute_db.service_get_all('nova-compute', []) == []


def test_service_get_all_of_hosts_travels_at_1_21_or_sorts_them_out():
    api = dbhelpers.CappedRecorder('1.21', lambda method: [
        {'host': 'h1'}, {'host': 'h2'}, {'host': 'h3'}])
    api.service_get_all(None, 'nova-compute', hosts={'h3', 'h1'})
    assert api.sent[-1] == ('service_get_all', '1.21')
    assert api.kwargs == {'binary': 'nova-compute', 'hosts': ['h1', 'h3']}
    api.service_get_all(None, 'nova-compute')
    assert api.sent[-1] == ('service_get_all', '1.0')
    api.cap = '1.20'
    older = api.service_get_all(None, 'nova-compute', hosts=['h3', 'h1'])
    assert api.sent[-1] == ('service_get_all', '1.0')
    assert 'hosts' not in api.kwargs
    assert [s['host'] for s in older] == ['h1', 'h3']


def test_zone_exists_travels_at_1_21_or_reads_the_zone_list():
    api = dbhelpers.CappedRecorder(
        '1.21', lambda method: True if method == 'availability_zone_exists'
        else [{'name': 'az1'}, {'name': 'internal'}])
    assert api.availability_zone_exists(None, 'az9') is True
    assert api.sent == [('availability_zone_exists', '1.21')]
    api.cap = '1.20'
    assert api.availability_zone_exists(None, 'az1') is True
    assert api.availability_zone_exists(None, 'internal') is False
    assert api.availability_zone_exists(None, 'az9') is False
    assert api.sent[-1] == ('availability_zones_get', '1.0')


def test_instance_list_asks_for_rows_as_text_from_1_22():
    api = dbhelpers.CappedRecorder('1.22')
    api.instance_list(None, {'deleted': False}, 5, fields=('uuid', 'host'))
    assert api.sent == [('instance_list', '1.22')]
    assert api.kwargs['rows_as_text'] is True
    api.cap = '1.21'
    api.instance_list(None, None, 5)
    assert api.sent[-1] == ('instance_list', '1.19')
    assert 'rows_as_text' not in api.kwargs


def test_check_database_from_1_23_and_a_ping_before():
    api = dbhelpers.CappedRecorder('1.23', answer=lambda method: {
        'check_database': {'dialect': 'sqlite', 'ms': 0.1},
        'ping': 'pong'}[method])
    assert api.check_database(None, timeout=2) == {'dialect': 'sqlite',
                                                   'ms': 0.1}
    api.cap = '1.22'
    assert api.check_database(None, timeout=2) is None
    assert api.sent == [('check_database', '1.23'), ('ping', '1.0')]


def test_the_database_check_runs_a_query(db):
    answer = health.check()
    assert answer['dialect'] == 'sqlite'
    assert answer['ms'] >= 0


def test_heartbeats_record_the_service_version_from_1_24(db):
    api = dbhelpers.CappedRecorder('1.24')
    api.service_heartbeat(None, 'h1', 'nova-compute', 'compute')
    assert api.sent == [('service_heartbeat', '1.24')]
    assert api.kwargs['service_version'] == \
        service_version.SERVICE_VERSION
    api.cap = '1.23'
    api.service_heartbeat(None, 'h1', 'nova-compute', 'compute')
    assert api.sent[-1] == ('service_heartbeat', '1.0')
    assert 'service_version' not in api.kwargs
    # Stored on registration and kept by heartbeats that carry none.
    compute_db.service_heartbeat('h1', 'nova-compute', 'compute', version=1)
    compute_db.service_heartbeat('h1', 'nova-compute', 'compute')
    [svc] = compute_db.service_get_all('nova-compute')
    assert svc['version'] == 1
    compute_db.service_heartbeat('h2', 'nova-compute', 'compute')
    assert compute_db.service_get_by_host('h2')['version'] is None


def test_nodes_where_reads_only_the_named_nodes(db):
    for host in ('host1', 'host2', 'host3'):
        dbhelpers.make_node(host)
    every = {n['host']: n for n in compute_db.compute_nodes_get_all()[
        'nodes']}
    by_id = compute_db.compute_nodes_where(ids=[every['host2']['id']])
    by_uuid = compute_db.compute_nodes_where(uuids=[every['host3']['uuid']])
    by_host = compute_db.compute_nodes_where(hosts=['host1', 'nowhere'])
    assert [n['host'] for n in by_id + by_uuid + by_host] == [
        'host2', 'host3', 'host1']
    # As the full read describes them, but for the scheduler's placement
    # facts (zone, aggregates, instances).
    assert {k: every['host2'][k] for k in by_id[0]} == by_id[0]
    assert set(every['host2']) - set(by_id[0]) == {
        'availability_zone', 'num_instances', 'aggregates', 'instances',
        'supported_instances'}
    assert compute_db.compute_nodes_where() == []
    # Names of the wrong type are ignored, not searched for.
    assert compute_db.compute_nodes_where(ids=['1'], hosts=[7]) == []
    # One statement with a WHERE, whatever the fleet's size.
    [statement] = dbhelpers.statements_of(
        lambda: compute_db.compute_nodes_where(hosts=['host1']))
    assert 'WHERE compute_nodes.host IN' in statement
    with pytest.raises(exception.Invalid):
        compute_db.compute_nodes_where(
            ids=list(range(compute_db.NODES_WHERE_MAX + 1)))


def test_nodes_where_from_1_25_and_picked_from_every_node_before():
    nodes = [{'id': 1, 'uuid': 'u1', 'host': 'h1'},
             {'id': 2, 'uuid': 'u2', 'host': 'h2'},
             {'id': 3, 'uuid': 'u3', 'host': 'h3'}]
    api = dbhelpers.CappedRecorder('1.25', answer=lambda method: {
        'compute_nodes_where': nodes[:1],
        'compute_nodes_get_all': {'nodes': nodes}}[method])
    assert api.compute_nodes_where(None, ids=[1]) == nodes[:1]
    assert api.sent == [('compute_nodes_where', '1.25')]
    api.cap = '1.24'
    assert api.compute_nodes_where(None, uuids=['u2'], hosts=['h3']) == \
        nodes[1:]
    assert api.sent[-1] == ('compute_nodes_get_all', '1.0')


def test_a_page_of_nodes_is_read_as_a_page(db):
    for host in ('host1', 'host2', 'host3', 'host4'):
        dbhelpers.make_node(host)
    ids = [n['id'] for n in compute_db.compute_nodes_get_all()['nodes']]
    assert [n['id'] for n in compute_db.compute_nodes_page(None, 2)] == \
        ids[:2]
    assert [n['id'] for n in compute_db.compute_nodes_page(ids[1], 10)] == \
        ids[2:]
    assert compute_db.compute_nodes_page(ids[-1], 10) == []
    assert compute_db.compute_nodes_page(None, 0) == []
    [statement] = dbhelpers.statements_of(
        lambda: compute_db.compute_nodes_page(ids[0], 2))
    assert 'compute_nodes.id >' in statement and 'LIMIT' in statement
