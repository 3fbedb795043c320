"""The conductor's data for the admin APIs: quota classes over [quota]
and under project limits, instances in a usage window, migrations."""

import datetime

import pytest

from common import exception
from common import states
from nova_conductor import manager as conductor_manager
from nova_conductor.db import convert
from nova_conductor.db import instance_migrations as migrations_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import usage as usage_db
from tests.unit.nova_conductor import dbhelpers

NOW = datetime.datetime(2026, 6, 15, 12, 0, 0)
HOUR = datetime.timedelta(hours=1)


def test_quota_classes_over_config_and_under_projects(db):
    assert quotas_db.defaults()['instances'] == 10
    assert quotas_db.defaults()['floating_ips'] == -1
    got = quotas_db.class_update('default', {'instances': 4,
                                             'floating_ips': 8})
    assert (got['instances'], got['floating_ips'], got['cores']) == (4, 8, 20)
    assert quotas_db.defaults()['instances'] == 4
    assert quotas_db.limits('p1')['instances'] == 4
    quotas_db.update('p1', {'instances': 6})
    assert quotas_db.limits('p1')['instances'] == 6
    assert quotas_db.limits('p2')['instances'] == 4
    # Another class: its own values over [quota], not over 'default'.
    quotas_db.class_update('gold', {'cores': 99})
    gold = quotas_db.class_get('gold')
    assert (gold['cores'], gold['instances']) == (99, 10)
    assert quotas_db.limits('p2')['cores'] == 20
    quotas_db.class_update('default', {'instances': 5})
    assert quotas_db.class_get('default')['instances'] == 5
    with pytest.raises(exception.Invalid):
        quotas_db.class_update('default', {'bogus': 1})


def test_the_default_class_bounds_creates_and_key_pairs(db):
    quotas_db.class_update('default', {'instances': 1, 'key_pairs': 1})
    dbhelpers.make_instance(project_id='p1')  # no quota check
    values = {'display_name': 'vm', 'project_id': 'p1',
              'flavor': dbhelpers.FLAVOR, 'vcpus': 1, 'memory_mb': 512,
              'root_gb': 1, 'vm_state': states.BUILDING}
    with pytest.raises(exception.OverQuota):
        dbhelpers.instance_create.create_within_quota(
            [values], dbhelpers.CTXT, 'p1')
    from nova_conductor.db import keypairs as keypairs_db
    keypairs_db.create('u1', 'k1', 'ssh-rsa AAA', 'fp')
    with pytest.raises(exception.OverQuota):
        keypairs_db.create('u1', 'k2', 'ssh-rsa AAB', 'fp2')


def _instance(launched=None, terminated=None, project='p1', **values):
    made = dbhelpers.make_instance(project_id=project, launched_at=launched,
                                   vm_state=states.ACTIVE, task_state=None,
                                   **values)
    if terminated is not None:
        instances_db.destroy(made['uuid'])
        with dbhelpers.session.writer() as s:
            table = instances_db.models.Instance.__table__
            s.execute(table.update().where(table.c.uuid == made['uuid'])
                      .values(terminated_at=terminated))
    return made['uuid']


def test_usage_window_takes_what_ran_in_it(db):
    inside = _instance(NOW - 2 * HOUR)
    ended_before = _instance(NOW - 10 * HOUR, NOW - 8 * HOUR)
    ended_inside = _instance(NOW - 10 * HOUR, NOW - 3 * HOUR)
    launched_after = _instance(NOW + 2 * HOUR)
    _instance(None)  # never launched
    other = _instance(NOW - HOUR, project='p2')
    start, stop = convert.iso(NOW - 5 * HOUR), convert.iso(NOW + HOUR)
    found = usage_db.instances_in_window(start, stop)
    assert [i['uuid'] for i in found] == [inside, ended_inside, other]
    assert ended_before not in found and launched_after not in found
    first = found[0]
    assert (first['flavor_name'], first['vcpus'], first['memory_mb'],
            first['root_gb'], first['vm_state']) == ('m1.tiny', 1, 512, 1,
                                                     'active')
    assert first['launched_at'].startswith('2026-06-15T10:00:00')
    assert found[1]['terminated_at'].startswith('2026-06-15T09:00:00')
    mine = usage_db.instances_in_window(start, stop, project_id='p1')
    assert [i['uuid'] for i in mine] == [inside, ended_inside]
    page = usage_db.instances_in_window(start, stop, limit=1,
                                        marker=inside)
    assert [i['uuid'] for i in page] == [ended_inside]
    with pytest.raises(exception.MarkerNotFound):
        usage_db.instances_in_window(start, stop, marker='nope')


def test_migrations_recorded_advanced_and_listed(db):
    first = migrations_db.create({'instance_uuid': 'i1',
                                  'migration_type': 'resize',
                                  'status': 'pre-migrating',
                                  'source_compute': 'h1'})
    assert first['uuid'] and first['hidden'] is False
    moved = migrations_db.update(first['uuid'], {'status': 'finished',
                                                 'dest_compute': 'h2'})
    assert (moved['status'], moved['dest_compute']) == ('finished', 'h2')
    assert migrations_db.update(first['id'], {'status': 'confirmed'})[
        'status'] == 'confirmed'
    second = migrations_db.create({'instance_uuid': 'i2',
                                   'migration_type': 'live-migration',
                                   'status': 'running',
                                   'source_compute': 'h2'})
    listed = migrations_db.get_all()
    assert [m['id'] for m in listed] == [second['id'], first['id']]
    assert [m['id'] for m in migrations_db.get_all({'host': 'h2'})] == [
        second['id'], first['id']]
    assert [m['id'] for m in migrations_db.get_all(
        {'status': ['confirmed', 'error']})] == [first['id']]
    assert migrations_db.get_all({'source_compute': 'h1',
                                  'migration_type': 'resize'})[0][
        'id'] == first['id']
    assert [m['id'] for m in migrations_db.get_all(
        limit=1, marker=second['uuid'])] == [first['id']]
    with pytest.raises(exception.MarkerNotFound):
        migrations_db.get_all(marker='nope')
    with pytest.raises(exception.MigrationNotFound):
        migrations_db.update('nope', {'status': 'error'})
    with pytest.raises(exception.Invalid):
        migrations_db.create({'bogus': 1})


def test_admin_endpoints_answer_over_rpc_names(db):
    manager = conductor_manager.ConductorManager(scheduler_api=object(),
                                                 compute_api=object())
    try:
        assert manager.quota_class_get(None, 'default')['cores'] == 20
        assert manager.quota_class_update(None, 'default', {'cores': 3})[
            'cores'] == 3
        assert manager.quota_defaults(None)['cores'] == 3
        assert manager.migration_get_all(None) == []
        assert manager.instance_usage_get(
            None, convert.iso(NOW - HOUR), convert.iso(NOW)) == []
    finally:
        manager.cleanup_host()
