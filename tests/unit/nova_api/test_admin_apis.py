"""The admin APIs on a real conductor and SQLite: os-hosts,
os-simple-tenant-usage, os-instance_usage_audit_log, os-migrations,
os-server-external-events, os-networks, os-tenant-networks and
os-quota-class-sets, their shapes (tests/schemas/admin.py) on both sides
of every microversion that changes them, their status codes and rules."""

import datetime
import urllib.parse

import pytest

from common import states
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_migrations as migrations_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import services as services_db
from nova_conductor.db import session
from tests.schemas import admin as schemas
from tests.schemas import compute as compute_schemas
from tests.unit.nova_api import shape_fixture
from tests.unit.nova_conductor import dbhelpers

ALICE = 'alice:proj-a'
READER = 'rita:proj-a:reader'
SERVICE = 'neutron:service:service'
NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope='module')
def client(tmp_path_factory):
    # Usage hours run up to the moment of the request: seed the servers
    # from now, not from when this module was imported (in a whole suite,
    # half an hour earlier).
    global NOW
    NOW = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    client = shape_fixture.make_client(tmp_path_factory.mktemp('admin'))
    facts = client.facts
    # proj-a: one server up for 3 hours, one that ran 1 hour and ended.
    facts['running'] = dbhelpers.make_instance(
        display_name='usage-1', project_id='proj-a', user_id='alice',
        host='host2', node='host2', vm_state=states.ACTIVE, task_state=None,
        launched_at=NOW - datetime.timedelta(hours=3))['uuid']
    ended = dbhelpers.make_instance(
        display_name='usage-2', project_id='proj-a', user_id='alice',
        host='host2', node='host2', vm_state=states.ACTIVE, task_state=None,
        launched_at=NOW - datetime.timedelta(hours=5))
    instances_db.destroy(ended['uuid'])
    with session.writer() as s:
        s.execute(instances_db.models.Instance.__table__.update().where(
            instances_db.models.Instance.__table__.c.uuid == ended['uuid'])
            .values(terminated_at=NOW - datetime.timedelta(hours=4)))
    facts['ended'] = ended['uuid']
    # Never launched (in error): counts for nothing.
    dbhelpers.make_instance(display_name='never', project_id='proj-a',
                            vm_state=states.ERROR, task_state=None)
    # On no host yet.
    facts['unplaced'] = dbhelpers.make_instance(
        display_name='unplaced', project_id='proj-a')['uuid']
    yield client
    client.manager.cleanup_host()
    session.dispose()


class Caller:

    def __init__(self, client, version=(2, 1), token=None):
        self.client, self.version = client, version
        self.headers = {'OpenStack-API-Version': 'compute %d.%d' % version}
        if token:
            self.headers['X-Auth-Token'] = token

    def __call__(self, method, path, schema=None, status=200, **kwargs):
        resp = self.client.simulate_request(method, '/v2.1' + path,
                                            headers=self.headers, **kwargs)
        assert resp.status_code == status, resp.text
        if schema is not None:
            compute_schemas.validate(schema, resp.json)
        return resp.json if resp.text else None


def _error(answer, name):
    [(key, error)] = answer.items()
    assert key == name
    return error['message']


# -- os-hosts -----------------------------------------------------------------

@pytest.mark.parametrize('version', [(2, 1), (2, 42)])
def test_hosts_list_services_by_zone(client, version):
    call = Caller(client, version)
    hosts = call('GET', '/os-hosts', schemas.host_list())['hosts']
    assert {(h['host_name'], h['service'], h['zone']) for h in hosts} >= {
        ('host1', 'compute', 'az1'), ('host2', 'compute', 'nova')}
    in_az1 = call('GET', '/os-hosts?zone=az1', schemas.host_list())['hosts']
    assert in_az1 == [{'host_name': 'host1', 'service': 'compute',
                       'zone': 'az1'}]
    assert call('GET', '/os-hosts?zone=')['hosts'] == hosts
    assert call('GET', '/os-hosts?zone=xxx')['hosts'] == []


def test_hosts_leave_out_disabled_services_and_show_controllers(client):
    compute_db.service_heartbeat('ctl', 'nova-scheduler', 'scheduler')
    compute_db.service_heartbeat('host3', 'nova-compute', 'compute')
    services_db.update_by_host('host3', 'nova-compute', {'disabled': True})
    hosts = Caller(client)('GET', '/os-hosts')['hosts']
    assert {'host_name': 'ctl', 'service': 'scheduler',
            'zone': 'internal'} in hosts
    assert 'host3' not in [h['host_name'] for h in hosts]


def test_host_show_totals_usage_and_projects(client):
    got = Caller(client)('GET', '/os-hosts/host2', schemas.host_show())
    rows = {r['resource']['project']: r['resource'] for r in got['host']}
    assert [r['resource']['project'] for r in got['host']][:3] == [
        '(total)', '(used_now)', '(used_max)']
    assert rows['(total)'] == {'host': 'host2', 'project': '(total)',
                               'cpu': 4, 'memory_mb': 4096, 'disk_gb': 100}
    # The live server placed on host2 (the ended one is deleted).
    assert rows['(used_max)'] == {'host': 'host2', 'project': '(used_max)',
                                  'cpu': 1, 'memory_mb': 512, 'disk_gb': 1}
    assert rows['proj-a'] == dict(rows['(used_max)'], project='proj-a')
    message = _error(Caller(client)('GET', '/os-hosts/nope', status=404),
                     'itemNotFound')
    assert message == 'Compute host nope could not be found.'


@pytest.mark.parametrize('body', [
    {'status': None, 'maintenance_mode': None},
    {'status': 'invalid', 'maintenance_mode': 'enable'},
    {'status': 'enable', 'maintenance_mode': 'invalid'},
    {}, {'status': 'enable', 'other': 1}])
def test_host_update_refuses_bad_bodies(client, body):
    answer = Caller(client)('PUT', '/os-hosts/host1', json=body, status=400)
    assert 'Invalid input for field/attribute' in _error(answer,
                                                         'badRequest')


def test_host_actions_answer_as_nova_on_a_driver_without_them(client):
    call = Caller(client)
    for path in ('/os-hosts/host1/startup', '/os-hosts/host1/shutdown',
                 '/os-hosts/host1/reboot'):
        answer = call('GET', path, status=501)
        assert _error(answer, 'notImplemented') == (
            'The requested functionality is not supported.')
        assert _error(call('GET', path.replace('host1', 'nope'),
                           status=404), 'itemNotFound') == (
            'Host nope could not be found.')
    for body in ({'status': 'enable'}, {'maintenance_mode': 'Disable'},
                 {'status': 'DISABLE', 'maintenance_mode': 'enable'}):
        call('PUT', '/os-hosts/host1', json=body, status=501)
        call('PUT', '/os-hosts/nope', json=body, status=404)


def test_host_actions_on_a_down_host_are_400(client):
    compute_db.service_heartbeat('gone', 'nova-compute', 'compute')
    services_db.update_by_host('gone', 'nova-compute', {'forced_down': True})
    call = Caller(client)
    answer = call('GET', '/os-hosts/gone/reboot', status=400)
    assert _error(answer, 'badRequest') == (
        'Compute service of gone is unavailable at this time.')
    call('PUT', '/os-hosts/gone', json={'status': 'enable'}, status=400)


def test_hosts_are_for_admins_and_gone_from_243(client):
    alice = Caller(client, token=ALICE)
    for method, path, kwargs in [
            ('GET', '/os-hosts', {}), ('GET', '/os-hosts/host1', {}),
            ('PUT', '/os-hosts/host1', {'json': {'status': 'enable'}}),
            ('GET', '/os-hosts/host1/startup', {}),
            ('GET', '/os-hosts/host1/shutdown', {}),
            ('GET', '/os-hosts/host1/reboot', {})]:
        alice(method, path, status=403, **kwargs)
        # 404 from 2.43, ahead of the body and the rule.
        Caller(client, (2, 43))(method, path, status=404, **kwargs)
        Caller(client, (2, 100), ALICE)(method, path, status=404,
                                        json={'bad': 1})


# -- os-simple-tenant-usage ---------------------------------------------------

def _period(start=NOW - DAY, end=NOW + DAY, **extra):
    params = {'start': start.strftime('%Y-%m-%dT%H:%M:%S.%f'),
              'end': end.strftime('%Y-%m-%dT%H:%M:%S.%f')}
    params.update(extra)
    return urllib.parse.urlencode(params)


def test_usage_hours_and_totals_from_launch_and_termination(client):
    got = Caller(client)('GET', '/os-simple-tenant-usage/proj-a?' + _period(),
                         schemas.tenant_usage_show((2, 1)))['tenant_usage']
    servers = {u['instance_id']: u for u in got['server_usages']}
    assert set(servers) == {client.facts['running'], client.facts['ended']}
    running = servers[client.facts['running']]
    # Up 3 hours, counted until now (the end is tomorrow).
    assert running['hours'] == pytest.approx(3, abs=0.05)
    assert (running['state'], running['ended_at'], running['flavor'],
            running['vcpus'], running['memory_mb'], running['local_gb']) == (
        'active', None, 'm1.tiny', 1, 512, 1)
    assert 3 * 3600 - 5 <= running['uptime'] <= 3 * 3600 + 120
    ended = servers[client.facts['ended']]
    assert ended['state'] == 'terminated'
    assert ended['hours'] == pytest.approx(1, abs=0.01)
    assert ended['uptime'] == 3600
    hours = running['hours'] + ended['hours']
    assert got['total_hours'] == pytest.approx(hours)
    assert got['total_vcpus_usage'] == pytest.approx(hours)
    assert got['total_memory_mb_usage'] == pytest.approx(512 * hours)
    assert got['total_local_gb_usage'] == pytest.approx(hours)
    assert got['tenant_id'] == 'proj-a'


def test_usage_counts_only_the_period(client):
    # From 2 hours ago: the ended server is out, the running one has 2 h.
    got = Caller(client)('GET', '/os-simple-tenant-usage/proj-a?' + _period(
        start=NOW - datetime.timedelta(hours=2)))['tenant_usage']
    [only] = got['server_usages']
    assert only['instance_id'] == client.facts['running']
    assert only['hours'] == pytest.approx(2, abs=0.05)
    # A period in the past with nothing in it: an empty usage.
    empty = Caller(client)('GET', '/os-simple-tenant-usage/proj-a?' +
                           _period(NOW - 10 * DAY, NOW - 9 * DAY),
                           schemas.tenant_usage_show((2, 1), empty=True))
    assert empty == {'tenant_usage': {}}


# openstacksdk (`openstack usage list`) sends its bool as text: True.
@pytest.mark.parametrize('detailed, listed', [
    ('1', True), ('0', False), ('True', True), ('False', False),
    ('true', True)])
def test_usage_of_all_projects(client, detailed, listed):
    got = Caller(client)('GET', '/os-simple-tenant-usage?' + _period(
        detailed=detailed), schemas.tenant_usage_list((2, 1), listed))
    [proj_a] = [u for u in got['tenant_usages']
                if u['tenant_id'] == 'proj-a']
    assert ('server_usages' in proj_a) == listed


def test_usage_rules_and_bad_periods(client):
    reader = Caller(client, token=READER)
    reader('GET', '/os-simple-tenant-usage/proj-a?' + _period(),
           schemas.tenant_usage_show((2, 1)))
    reader('GET', '/os-simple-tenant-usage/proj-b?' + _period(), status=403)
    reader('GET', '/os-simple-tenant-usage?' + _period(), status=403)
    admin = Caller(client)
    # The empty tenant id of .../os-simple-tenant-usage/ is no route.
    admin('GET', '/os-simple-tenant-usage/?' + _period(), status=404)
    backwards = admin('GET', '/os-simple-tenant-usage/proj-a?' + _period(
        NOW + DAY, NOW - DAY), status=400)
    assert _error(backwards, 'badRequest').startswith('Invalid start time')
    admin('GET', '/os-simple-tenant-usage?start=yesterday', status=400)
    # Without a period: from now (read first) to now (read next), as Nova.
    bare = admin('GET', '/os-simple-tenant-usage/proj-a')['tenant_usage']
    assert bare['total_hours'] < 0.001
    admin('GET', '/os-simple-tenant-usage/proj-a?start=2020-01-01T00:00:00',
          schemas.tenant_usage_show((2, 1)))
    admin('GET', '/os-simple-tenant-usage/proj-a?start=2020-01-01 '
          '00:00:00.5', schemas.tenant_usage_show((2, 1)))


def test_usage_pages_from_240(client):
    v240 = Caller(client, (2, 40))
    first = v240('GET', '/os-simple-tenant-usage/proj-a?' + _period(limit=1),
                 schemas.tenant_usage_show((2, 40), links=True))
    [one] = first['tenant_usage']['server_usages']
    [link] = first['tenant_usage_links']
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link['href']).query)
    assert link['rel'] == 'next' and query['marker'] == [one['instance_id']]
    assert link['href'].split('?')[0].endswith(
        '/v2.1/admin/os-simple-tenant-usage/proj-a')
    second = v240('GET', '/os-simple-tenant-usage/proj-a?' + _period(
        limit=1, marker=one['instance_id']))
    [two] = second['tenant_usage']['server_usages']
    assert two['instance_id'] != one['instance_id']
    # A page's totals are its own servers'.
    assert second['tenant_usage']['total_hours'] == two['hours']
    listed = v240('GET', '/os-simple-tenant-usage?' + _period(
        limit=1, detailed=1), schemas.tenant_usage_list((2, 40), True,
                                                        links=True))
    assert 'marker=' in listed['tenant_usages_links'][0]['href']
    v240('GET', '/os-simple-tenant-usage/proj-a?' + _period(
        marker='00000000-0000-0000-0000-000000000000'), status=400)
    v240('GET', '/os-simple-tenant-usage/proj-a?' + _period(limit='x'),
         status=400)
    # Before 2.40 neither limit nor marker means anything.
    old = Caller(client, (2, 39))('GET', '/os-simple-tenant-usage/proj-a?' +
                                  _period(limit=1, marker='bogus'))
    assert len(old['tenant_usage']['server_usages']) == 2
    assert 'tenant_usage_links' not in old


# -- os-instance_usage_audit_log ----------------------------------------------

def test_audit_log_reports_every_compute_host_not_run(client):
    call = Caller(client)
    got = call('GET', '/os-instance_usage_audit_log',
               schemas.audit_log_list())['instance_usage_audit_logs']
    computes = sorted(s['host'] for s in compute_db.service_get_all(
        'nova-compute'))
    assert got['hosts_not_run'] == computes
    assert (got['num_hosts'], got['num_hosts_done'],
            got['num_hosts_not_run'], got['total_instances'],
            got['log']) == (len(computes), 0, len(computes), 0, {})
    assert got['overall_status'] == '0 of %d hosts done. 0 errors.' % len(
        computes)
    first = NOW.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert got['period_ending'] == str(first)
    shown = call('GET', '/os-instance_usage_audit_log/' +
                 urllib.parse.quote('2026-01-15 10:00:00'),
                 schemas.audit_log_show())['instance_usage_audit_log']
    assert (shown['period_beginning'], shown['period_ending']) == (
        '2025-12-01 00:00:00', '2026-01-01 00:00:00')
    with_fraction = call('GET', '/os-instance_usage_audit_log/'
                         '2026-03-01%2000:00:00.000')
    assert with_fraction['instance_usage_audit_log']['period_beginning'] == (
        '2026-01-01 00:00:00')


def test_audit_log_bad_times_and_rules(client):
    call = Caller(client)
    for bad in ('invalid_time', '2026-13-01%2000:00:00',
                '0001-01-01%2000:00:00'):
        answer = call('GET', '/os-instance_usage_audit_log/' + bad,
                      status=400)
        assert _error(answer, 'badRequest').startswith('Invalid timestamp')
    alice = Caller(client, token=ALICE)
    alice('GET', '/os-instance_usage_audit_log', status=403)
    alice('GET', '/os-instance_usage_audit_log/2026-01-01%2000:00:00',
          status=403)


# -- os-migrations -----------------------------------------------------------

MIGRATION_VERSIONS = [(2, 1), (2, 22), (2, 23), (2, 58), (2, 59), (2, 65),
                      (2, 66), (2, 79), (2, 80), (2, 100)]


@pytest.fixture(scope='module')
def moves(client):
    server = client.facts['server']
    made = [migrations_db.create({
        'instance_uuid': server, 'migration_type': kind, 'status': status,
        'source_compute': 'host1', 'source_node': 'host1',
        'dest_compute': 'host2', 'dest_node': 'host2', 'dest_host': None,
        'old_instance_type_id': 1, 'new_instance_type_id': 2,
        'user_id': 'admin', 'project_id': 'admin'})
        for kind, status in (('migration', 'confirmed'),
                             ('live-migration', 'running'),
                             ('resize', 'finished'))]
    hidden = migrations_db.create({'instance_uuid': server,
                                   'migration_type': 'migration',
                                   'status': 'done', 'hidden': True})
    return made, hidden


@pytest.mark.parametrize('version', MIGRATION_VERSIONS,
                         ids=['%d.%d' % v for v in MIGRATION_VERSIONS])
def test_migration_shapes(client, moves, version):
    made, hidden = moves
    got = Caller(client, version)('GET', '/os-migrations',
                                  schemas.migration_list(version))
    ids = [m['id'] for m in got['migrations']]
    assert set(ids) == {m['id'] for m in made} and hidden['id'] not in ids
    live = [m for m in got['migrations']
            if m['id'] == made[1]['id']][0]
    assert ('links' in live) == (version >= (2, 23))
    if version >= (2, 23):
        assert live['links'][0]['href'].endswith(
            '/servers/%s/migrations/%d' % (client.facts['server'],
                                           made[1]['id']))


def test_migration_filters(client, moves):
    made, _ = moves
    call = Caller(client, (2, 80))

    def ids(query):
        return {m['id'] for m in call('GET', '/os-migrations?' + query)[
            'migrations']}
    everything = {m['id'] for m in made}
    assert ids('status=running') == {made[1]['id']}
    assert ids('host=host2') == everything
    assert ids('host=host9') == set()
    assert ids('source_compute=host1&migration_type=resize') == {
        made[2]['id']}
    assert ids('instance_uuid=%s' % client.facts['server']) == everything
    assert ids('user_id=admin&project_id=admin') == everything
    assert ids('project_id=other') == set()
    assert ids('changes-since=2000-01-01T00:00:00Z') == everything
    # Hidden moves are never listed, even when asked for.
    assert ids('hidden=0') == everything and ids('hidden=1') == set()
    call('GET', '/os-migrations?hidden=maybe', status=400)
    assert ids('changes-before=2000-01-01T00:00:00Z') == set()
    # user_id means nothing before 2.80 (no filter), and is refused
    # from 2.59 to 2.79 (the parameters are closed there).
    assert len(Caller(client, (2, 58))('GET', '/os-migrations?user_id=x')[
        'migrations']) == 3
    Caller(client, (2, 79))('GET', '/os-migrations?user_id=x', status=400)
    Caller(client, (2, 65))('GET', '/os-migrations?changes-before=2000-01-01',
                            status=400)
    Caller(client, (2, 58))('GET', '/os-migrations?bogus=1')
    Caller(client, (2, 59))('GET', '/os-migrations?bogus=1', status=400)
    call('GET', '/os-migrations?changes-since=yesterday', status=400)
    call('GET', '/os-migrations?changes-since=2020-01-02T00:00:00Z&'
         'changes-before=2020-01-01T00:00:00Z', status=400)


def test_migration_pages_from_259(client, moves):
    call = Caller(client, (2, 59))
    first = call('GET', '/os-migrations?limit=2',
                 schemas.migration_list((2, 59)))
    assert len(first['migrations']) == 2
    marker = first['migrations'][-1]['uuid']
    assert 'marker=%s' % marker in first['migrations_links'][0]['href']
    rest = call('GET', '/os-migrations?limit=2&marker=%s' % marker)
    assert len(rest['migrations']) == 1
    assert 'migrations_links' not in rest
    # Newest first.
    newest = [m['id'] for m in first['migrations'] + rest['migrations']]
    assert newest == sorted(newest, reverse=True)
    call('GET', '/os-migrations?marker=nope', status=400)
    assert call('GET', '/os-migrations?limit=0')['migrations'] == []


def test_migrations_are_for_admins(client):
    Caller(client, token=ALICE)('GET', '/os-migrations', status=403)


# -- os-server-external-events ------------------------------------------------

def _events(*events):
    return {'events': [dict(e) for e in events]}


def test_external_event_on_a_placed_server_is_accepted(client):
    server = client.facts['server']
    got = Caller(client, token=SERVICE)(
        'POST', '/os-server-external-events', schemas.external_events(
            (2, 1)), json=_events({'name': 'network-changed',
                                   'server_uuid': server}))
    assert got == {'events': [{'name': 'network-changed',
                               'server_uuid': server, 'code': 200,
                               'status': 'completed'}]}


def test_external_events_answer_one_by_one(client):
    facts = client.facts
    got = Caller(client, (2, 76))(
        'POST', '/os-server-external-events',
        schemas.external_events((2, 76)), status=207, json=_events(
            {'name': 'network-vif-plugged', 'server_uuid': facts['server'],
             'tag': 'port-1', 'status': 'in-progress'},
            {'name': 'network-vif-deleted',
             'server_uuid': facts['deleted_server']},
            {'name': 'network-changed', 'server_uuid': facts['unplaced']},
            {'name': 'power-update', 'server_uuid': facts['server']},
            {'name': 'power-update', 'server_uuid': facts['server'],
             'tag': 'POWER_OFF'}))
    assert [(e['code'], e['status']) for e in got['events']] == [
        (200, 'completed'), (404, 'failed'), (422, 'failed'),
        (400, 'failed'), (200, 'completed')]
    assert got['events'][0]['tag'] == 'port-1'
    # None accepted: still each event's answer, in a 207.
    none = Caller(client)('POST', '/os-server-external-events', status=207,
                          json=_events({'name': 'network-changed',
                                        'server_uuid': facts['ended']}))
    assert none['events'][0]['code'] == 404


@pytest.mark.parametrize('name, version', [
    ('volume-extended', (2, 51)), ('power-update', (2, 76)),
    ('accelerator-request-bound', (2, 82)), ('volume-reimaged', (2, 93))])
def test_external_event_names_come_with_their_versions(client, name,
                                                       version):
    body = _events({'name': name, 'server_uuid': client.facts['server'],
                    'tag': 'x'})
    before = (version[0], version[1] - 1)
    Caller(client, before)('POST', '/os-server-external-events', json=body,
                           status=400)
    got = Caller(client, version)('POST', '/os-server-external-events',
                                  schemas.external_events(version),
                                  json=body)
    assert got['events'][0]['code'] == 200


@pytest.mark.parametrize('body', [
    {}, {'events': []}, {'events': [{'name': 'network-changed'}]},
    {'events': [{'name': 'nope', 'server_uuid': '%s' % ('0' * 8 + '-0000-'
                                                        '0000-0000-' +
                                                        '0' * 12)}]},
    {'events': [{'name': 'network-changed', 'server_uuid': 'not-a-uuid'}]},
    {'events': [{'name': 'network-changed', 'status': 'done',
                 'server_uuid': '00000000-0000-0000-0000-000000000000'}]},
    {'events': [{'name': 'network-changed', 'tag': 'x' * 256,
                 'server_uuid': '00000000-0000-0000-0000-000000000000'}]}])
def test_external_events_refuse_bad_bodies(client, body):
    Caller(client)('POST', '/os-server-external-events', json=body,
                   status=400)


def test_external_events_are_for_services_and_admins(client):
    body = _events({'name': 'network-changed',
                    'server_uuid': client.facts['server']})
    Caller(client, token=ALICE)('POST', '/os-server-external-events',
                                json=body, status=403)
    Caller(client, token='m:proj-a:member,reader')(
        'POST', '/os-server-external-events', json=body, status=403)


# -- os-networks, os-tenant-networks ------------------------------------------

@pytest.mark.parametrize('version', [(2, 1), (2, 35)])
def test_networks_show_the_flat_network(client, version):
    admin = Caller(client, version)
    [net] = admin('GET', '/os-networks', schemas.network_list(True))[
        'networks']
    assert (net['label'], net['cidr'], net['gateway'], net['netmask'],
            net['broadcast'], net['bridge'], net['dhcp_start']) == (
        'private', '10.0.0.0/24', '10.0.0.1', '255.255.255.0',
        '10.0.0.255', 'br100', '10.0.0.2')
    shown = admin('GET', '/os-networks/%s' % net['id'],
                  schemas.network_show(True))['network']
    assert shown == net
    reader = Caller(client, version, READER)
    [seen] = reader('GET', '/os-networks', schemas.network_list(False))[
        'networks']
    assert seen == {k: net[k] for k in schemas.NETWORK_FIELDS}
    reader('GET', '/os-networks/%s' % net['id'], schemas.network_show(False))
    missing = admin('GET', '/os-networks/nope', status=404)
    assert _error(missing, 'itemNotFound') == (
        'Network nope could not be found.')
    tenant = reader('GET', '/os-tenant-networks',
                    schemas.tenant_network_list())['networks']
    assert tenant == [{'id': net['id'], 'cidr': '10.0.0.0/24',
                       'label': 'private'}]
    reader('GET', '/os-tenant-networks/%s' % net['id'],
           schemas.tenant_network_show())
    reader('GET', '/os-tenant-networks/nope', status=404)


def test_networks_are_gone_from_236_and_changes_are_410(client):
    v236 = Caller(client, (2, 36))
    for path in ('/os-networks', '/os-networks/x', '/os-tenant-networks',
                 '/os-tenant-networks/x'):
        v236('GET', path, status=404)
    for version in ((2, 1), (2, 36)):
        call = Caller(client, version)
        for method, path in (('POST', '/os-networks'),
                              ('POST', '/os-networks/add'),
                              ('DELETE', '/os-networks/x'),
                              ('POST', '/os-networks/x/action'),
                              ('POST', '/os-tenant-networks'),
                              ('DELETE', '/os-tenant-networks/x')):
            answer = call(method, path, status=410, json={'network': {}})
            assert 'nova-network' in _error(answer, 'computeFault')


# -- os-quota-class-sets ------------------------------------------------------

QUOTA_VERSIONS = [(2, 1), (2, 49), (2, 50), (2, 56), (2, 57), (2, 100)]


@pytest.mark.parametrize('version', QUOTA_VERSIONS,
                         ids=['%d.%d' % v for v in QUOTA_VERSIONS])
def test_quota_class_shapes(client, version):
    call = Caller(client, version)
    shown = call('GET', '/os-quota-class-sets/gold',
                 schemas.quota_class_set(version))['quota_class_set']
    assert shown['id'] == 'gold' and shown['instances'] == 10
    wanted = {k: v + 100 for k, v in shown.items() if k != 'id'}
    updated = call('PUT', '/os-quota-class-sets/gold',
                   schemas.quota_class_set(version, with_id=False),
                   json={'quota_class_set': wanted})['quota_class_set']
    assert updated == wanted
    assert call('GET', '/os-quota-class-sets/gold')['quota_class_set'] == \
        dict(wanted, id='gold')
    # Back as it was, for the next version.
    call('PUT', '/os-quota-class-sets/gold', json={'quota_class_set': {
        k: v for k, v in shown.items() if k != 'id'}})


def test_quota_class_keys_each_version_takes(client):
    def put(version, key, status):
        Caller(client, version)('PUT', '/os-quota-class-sets/silver',
                                status=status,
                                json={'quota_class_set': {key: 5}})
    # Server groups are taken before 2.50 (not shown), network quotas
    # refused from 2.50, injected files from 2.57.
    put((2, 1), 'server_groups', 200)
    assert Caller(client, (2, 50))('GET', '/os-quota-class-sets/silver')[
        'quota_class_set']['server_groups'] == 5
    put((2, 50), 'floating_ips', 400)
    put((2, 57), 'injected_files', 400)
    put((2, 1), 'bogus', 400)
    put((2, 1), 'cores', 200)
    Caller(client)('PUT', '/os-quota-class-sets/silver', status=400,
                   json={'quota_class_set': {'cores': -2}})
    Caller(client)('PUT', '/os-quota-class-sets/silver', status=400,
                   json={'quota_class_set': {'cores': 2 ** 31}})
    Caller(client)('PUT', '/os-quota-class-sets/' + 'c' * 256, status=400,
                   json={'quota_class_set': {'cores': 1}})


def test_quota_classes_are_for_admins(client):
    alice = Caller(client, token=ALICE)
    alice('GET', '/os-quota-class-sets/default', status=403)
    alice('PUT', '/os-quota-class-sets/default', status=403,
          json={'quota_class_set': {'cores': 1}})


def test_the_default_class_is_every_projects_default(client):
    call = Caller(client)
    try:
        call('PUT', '/os-quota-class-sets/default', json={
            'quota_class_set': {'instances': 3, 'floating_ips': 7}})
        defaults = call('GET', '/os-quota-sets/fresh/defaults')['quota_set']
        assert (defaults['instances'], defaults['floating_ips']) == (3, 7)
        assert call('GET', '/os-quota-sets/fresh')['quota_set'][
            'instances'] == 3
        limits = call('GET', '/limits?tenant_id=fresh')['limits']['absolute']
        assert (limits['maxTotalInstances'],
                limits['maxTotalFloatingIps']) == (3, 7)
        # A project's own limit still wins; another class changes nothing.
        call('PUT', '/os-quota-sets/own', json={'quota_set': {
            'instances': 9}})
        assert quotas_db.limits('own')['instances'] == 9
        call('PUT', '/os-quota-class-sets/other', json={
            'quota_class_set': {'instances': 1}})
        assert quotas_db.limits('fresh')['instances'] == 3
        # The conductor enforces it at create: proj-a has 2 live servers.
        call('PUT', '/os-quota-class-sets/default', json={
            'quota_class_set': {'instances': 2}})
        with pytest.raises(Exception) as refused:
            dbhelpers.instance_create.create_within_quota(
                [{'display_name': 'over', 'project_id': 'proj-a',
                  'flavor': dbhelpers.FLAVOR, 'vcpus': 1, 'memory_mb': 512,
                  'root_gb': 1, 'vm_state': states.BUILDING}],
                dbhelpers.CTXT, 'proj-a')
        assert 'Quota exceeded for instances' in str(refused.value)
    finally:
        call('PUT', '/os-quota-class-sets/default', json={
            'quota_class_set': {'instances': 10, 'floating_ips': -1}})


# -- the arithmetic alone -----------------------------------------------------

def test_hours_are_the_overlap_of_a_life_and_the_period():
    from nova_api.resources import simple_tenant_usage as stu
    t = datetime.datetime(2026, 1, 1)
    h = datetime.timedelta(hours=1)
    start, stop = t, t + 10 * h
    assert stu.hours_in(t + 2 * h, None, start, stop) == 8
    assert stu.hours_in(t - 5 * h, None, start, stop) == 10
    assert stu.hours_in(t - 5 * h, t + 1 * h, start, stop) == 1
    assert stu.hours_in(t + 1 * h, t + 1.5 * h, start, stop) == 0.5
    assert stu.hours_in(t - 5 * h, t - 1 * h, start, stop) == 0
    assert stu.hours_in(t + 11 * h, None, start, stop) == 0
    assert stu.hours_in(None, None, start, stop) == 0


@pytest.mark.parametrize('before, period', [
    ('2026-01-15 10:00:00', ('2025-12-01', '2026-01-01')),
    ('2026-01-01 00:00:00', ('2025-11-01', '2025-12-01')),
    ('2026-01-01 00:00:01', ('2025-12-01', '2026-01-01')),
    ('2026-03-31 23:59:59', ('2026-02-01', '2026-03-01')),
    ('0001-02-01 00:00:01', ('0001-01-01', '0001-02-01'))])
def test_the_audit_period_is_the_last_month_completed(before, period):
    from nova_api.resources import instance_usage_audit_log as audit
    begin, end = audit.last_completed_month(
        datetime.datetime.strptime(before, '%Y-%m-%d %H:%M:%S'))
    assert (str(begin.date()), str(end.date())) == period


def test_the_audit_summary_counts_hosts_by_their_task_logs():
    from nova_api.resources import instance_usage_audit_log as audit
    t = datetime.datetime(2026, 1, 1)
    logs = [{'host': 'a', 'state': 'DONE', 'errors': 1, 'task_items': 4,
             'message': 'ok'},
            {'host': 'b', 'state': 'RUNNING', 'errors': 0, 'task_items': 2,
             'message': 'going'}]
    got = audit.audit_log(['a', 'b', 'c'], t, t, logs)
    assert (got['num_hosts'], got['num_hosts_done'],
            got['num_hosts_running'], got['hosts_not_run'],
            got['total_instances'], got['total_errors'],
            got['overall_status']) == (3, 1, 1, ['c'], 6, 1,
                                       '1 of 3 hosts done. 1 errors.')
    assert got['log']['a'] == {'state': 'DONE', 'instances': 4,
                               'errors': 1, 'message': 'ok'}
    assert audit.audit_log([], t, t)['overall_status'] == (
        'ALL hosts done. 0 errors.')


def test_a_nul_never_reaches_a_sql_comparison(client):
    """PostgreSQL refuses NUL in text: the API answers 400 first."""
    call = Caller(client, (2, 80))
    for path in ('/os-migrations?status=a%00b', '/os-migrations?marker=%00',
                 '/os-migrations?user_id=%00',
                 '/os-simple-tenant-usage/a%00b?' + _period(),
                 '/os-simple-tenant-usage?' + _period(marker='\x00'),
                 '/os-quota-class-sets/a%00b'):
        answer = call('GET', path, status=400)
        assert 'NUL' in _error(answer, 'badRequest'), path
    call('PUT', '/os-quota-class-sets/a%00b', status=400,
         json={'quota_class_set': {'cores': 1}})
