"""List pages (instance_list): the same servers, order and values as
instances.get_all, only the fields asked, and a query count that does not
grow with the page."""

import pytest
import sqlalchemy as sa

from common import exception
from common import row_pages
from common import states
from nova_conductor.db import actions as actions_db
from nova_conductor.db import block_devices as bdm_db
from nova_conductor.db import instance_list
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import network as network_db
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers

SPEC = {'availability_zone': 'az1', 'scheduler_hints': {'group': 'g1'},
        'image': {'id': 'i1', 'properties': {'hw_architecture': 'x86_64'}},
        'flavor': {'name': 'm1.tiny'}, 'num_instances': 1}


def _servers(count, prefix='vm'):
    """`count` servers with metadata, tags and an address; every third in
    error with two faults, every fourth with a volume and a local disk."""
    made = []
    for i in range(count):
        inst = dbhelpers.make_instance(
            display_name='%s-%d' % (prefix, i), metadata={'k': str(i)},
            tags=['t%d' % (i % 2)], request_spec=SPEC,
            user_data='dXNlcg==', host='h%d' % (i % 2))
        network_db.allocate_fixed_ip(inst['uuid'], 'private',
                                     '10.0.0.0/16')
        with session.writer() as s:
            if i % 3 == 0:
                s.execute(sa.update(models.Instance.__table__)
                          .where(models.Instance.uuid == inst['uuid'])
                          .values(vm_state=states.ERROR))
                actions_db.fault_create(s, inst['uuid'], 500, 'first')
                actions_db.fault_create(s, inst['uuid'], 400, 'last', 'd')
            if i % 4 == 0:
                bdm_db.create_in(s, inst['uuid'], [
                    {'source_type': 'image', 'destination_type': 'local',
                     'boot_index': 0},
                    {'source_type': 'volume', 'destination_type': 'volume',
                     'uuid': 'vol-%d' % i, 'boot_index': None,
                     'delete_on_termination': True}])
        made.append(inst)
    return made


def _as_listed(full, fields):
    """What a page shows of get_all's instance `full`."""
    out = {}
    for field in fields:
        value = full[field]
        if field == 'request_spec':
            value = {'availability_zone': value.get('availability_zone'),
                     'scheduler_hints': value.get('scheduler_hints') or {},
                     'image': {'properties': (value.get('image') or {}).get(
                         'properties') or {}}}
        elif field == 'fixed_ips':
            value = [{k: ip[k] for k in ('address', 'mac', 'network')}
                     for ip in value]
        elif field == 'block_device_mappings':
            value = [{k: bdm[k] for k in ('volume_id', 'destination_type',
                                          'delete_on_termination')}
                     for bdm in value if bdm['destination_type'] == 'volume']
        out[field] = value
    return out


ALL = sorted(instance_list.FIELDS)


@pytest.mark.parametrize('filters,limit,sort', [
    ({'project_id': 'p1'}, None, None),
    ({'project_id': 'p1'}, 4, [('display_name', 'asc')]),
    ({'deleted': True}, 5, [('host', 'desc'), ('created_at', 'asc')]),
    ({'vm_state': [states.ERROR], 'tags': ['t0']}, None, None),
])
def test_page_shows_what_get_all_shows(db, filters, limit, sort):
    made = _servers(9)
    instances_db.destroy(made[1]['uuid'])
    marker, seen = None, []
    while True:
        full = instances_db.get_all(filters, limit, marker, sort)
        page = instance_list.page(filters, limit, marker, sort, ALL)
        assert sorted(page['columns']) == ALL
        listed = row_pages.unpack(page)
        assert listed == [_as_listed(i, ALL) for i in full]
        # The same page with its rows as one text (RPC 1.22).
        as_text = row_pages.as_text(page)
        assert 'rows' not in as_text
        assert row_pages.unpack(as_text) == listed
        seen += listed
        if not limit or len(full) < limit:
            break
        marker = full[-1]['uuid']
    errored = [i for i in seen if i['vm_state'] == states.ERROR]
    assert errored and all(i['fault']['message'] == 'last'
                           for i in errored)
    assert any(i['block_device_mappings'] for i in seen)
    assert all(i['fixed_ips'] and i['metadata'] for i in seen
               if not i['deleted'])


def test_page_has_only_the_fields_asked(db):
    _servers(2)
    page = instance_list.page({}, None, None, None,
                              ['display_name', 'fault'])
    # The fault query needs the vm_state.
    assert page['columns'] == ['uuid', 'display_name', 'vm_state', 'fault']
    assert [len(row) for row in page['rows']] == [4, 4]


def test_unknown_field_is_refused(db):
    with pytest.raises(exception.Invalid):
        instance_list.page({}, None, None, None, ['uuid', 'password'])


def _statements(fields, limit, marker=None):
    return dbhelpers.statements_of(lambda: instance_list.page(
        {'project_id': 'p1'}, limit, marker, None, fields))


def test_query_count_does_not_grow_with_the_page(db):
    made = _servers(24)
    for limit in (3, 24):
        statements = [s for s in _statements(ALL, limit)
                      if s.startswith('SELECT')]
        # The page, fixed IPs, faults and volumes: one query each.
        assert len(statements) == 4, statements
    with_marker = [s for s in _statements(ALL, 24, made[5]['uuid'])
                   if s.startswith('SELECT')]
    assert len(with_marker) == 5


def test_brief_page_is_one_query_of_two_columns(db):
    _servers(5)
    statements = [s for s in _statements(['uuid', 'display_name'], 1000)
                  if s.startswith('SELECT')]
    assert len(statements) == 1
    selected = statements[0].split(' FROM ')[0]
    assert selected == ('SELECT instances.uuid, instances.display_name')
