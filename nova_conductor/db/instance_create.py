"""Creating instance records: quota, group membership and the create
action in one transaction, idempotent by instance uuid."""

import collections
import uuid as uuidlib

import sqlalchemy as sa

from common import exception
from nova_conductor.db import actions
from nova_conductor.db import block_devices
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import quotas
from nova_conductor.db import server_groups
from nova_conductor.db import session

_instances = models.Instance.__table__
# Built once: a statement made per call with .values() cost a tenth of the
# conductor's CPU under a burst; the values go in as parameters instead.
_INSERT = sa.insert(_instances)


def _insert_all(s, values_list, ctxt_dict):
    """Add building instances, each with its 'create' action open; their
    rows as mappings, in order. Core statements: this is every boot."""
    rows = []
    for values in values_list:
        values = dict(values)
        values.setdefault('uuid', str(uuidlib.uuid4()))
        mappings = values.pop('block_device_mappings', None) or []
        for key in instances.JSON_FIELDS:
            if key in values:
                # Table columns carry the keys' names ('metadata' too).
                values[key] = instances.json_value(key, values[key])
        result = s.execute(_INSERT, values)
        # The row is what was sent plus the columns' Python defaults and
        # the new id: no read back (every default is Python-side).
        row = dict.fromkeys(_instances.c.keys())
        row.update(result.last_inserted_params())
        row['id'] = result.inserted_primary_key[0]
        row = instances.as_stored(row)
        # Its disks, stored with it: a boot from volume is never an
        # instance without the volume it boots from.
        row['block_device_mappings'] = block_devices.create_in(
            s, values['uuid'], mappings) if mappings else []
        rows.append(row)
        actions.action_start(s, values['uuid'], 'create', ctxt_dict,
                             first_event=values.get('task_state'))
    return rows


def create(values, ctxt_dict):
    """Insert a building instance, with no quota check."""
    with session.writer() as s:
        rows = _insert_all(s, [values], ctxt_dict)
        return instances.to_dicts(s, rows, new=True)[0]


def create_within_quota(values_list, ctxt_dict, project_id, group_uuid=None):
    """Insert several building instances at once, or none if the project's
    instances, cores or ram quota would be passed (or the group's member
    quota, when they join `group_uuid`); the project's quota row is locked
    for the check, so concurrent creates cannot both fit."""
    return create_together([{'values_list': values_list,
                             'ctxt_dict': ctxt_dict, 'project_id': project_id,
                             'group_uuid': group_uuid}])[0].instances


# One request's instances, and whether this call wrote them (False: they
# were there already, from the same create sent before).
Created = collections.namedtuple('Created', 'instances new')


def create_together(requests):
    """create_within_quota for several requests in one transaction (the
    API's concurrent creates, batched): [{'values_list', 'ctxt_dict',
    'project_id', 'group_uuid'}] -> a Created for each request. Any
    refusal (OverQuota, a group gone) fails the whole batch: the caller
    then runs the requests one by one, each with its own answer.

    Idempotent by instance uuid: a request whose instances exist already
    (the API sent it again, its first answer lost with a conductor
    worker) gets them as stored, and its quota is not counted again."""
    mine = False
    try:
        return [Created(rows, True) for rows in _insert_together(requests)]
    except sa.exc.IntegrityError:
        # The uuids' unique key: seen only when a create comes again.
        stored = _stored(requests)
        if not stored:
            raise
    except exception.DatabaseCommitUnknown:
        # Our COMMIT may have been made. Our insert reached it, so no copy
        # had stored these uuids before: rows found now with the owner we
        # wrote are ours (a copy sent meanwhile to this same worker could
        # have stored them too; its build and ours then meet at the claim,
        # where only the first places it). Rows not found were not stored:
        # insert them again.
        try:
            stored = _stored(requests)
        except exception.DatabaseUnavailable as error:
            raise exception.DatabaseCommitUnknown() from error
        mine = True
    fresh = iter(_insert_together(
        [r for i, r in enumerate(requests) if i not in stored]))
    return [Created(stored[i], mine and _same_owner(stored[i], requests[i]))
            if i in stored else Created(next(fresh), True)
            for i in range(len(requests))]


def _same_owner(rows, request):
    wanted = request['values_list'][0].get('build_owner')
    return wanted is not None and all(
        row.get('build_owner') == wanted for row in rows)


def _stored(requests):
    """{index: its instances as stored} of the requests whose instances
    all exist, in the request's project; a request with only some, or
    another project's, is refused (never a real retry)."""
    uuids = [v.get('uuid') for r in requests for v in r['values_list']]
    with session.reader() as s:
        rows = {row['uuid']: dict(row) for row in s.execute(
            sa.select(_instances).where(_instances.c.uuid.in_(
                [u for u in uuids if u]))).mappings()}
        stored = {}
        for index, r in enumerate(requests):
            wanted = [v.get('uuid') for v in r['values_list']]
            found = [rows[u] for u in wanted if u in rows]
            if not found:
                continue
            if len(found) < len(wanted) or any(
                    row['project_id'] != r['project_id'] for row in found):
                raise exception.InstanceExists(instance_uuid=found[0]['uuid'])
            stored[index] = instances.to_dicts(s, found)
        return stored


@session.retry_transaction
def _insert_together(requests):
    if not requests:
        return []
    with session.writer() as s:
        # Rows first, the projects' locks last: they serialise a project's
        # creates, so they are held only for the count and the commit.
        rows = [_insert_all(s, r['values_list'], r['ctxt_dict'])
                for r in requests]
        wanted = {}
        for r in requests:
            totals = wanted.setdefault(r['project_id'], {
                'instances': 0, 'cores': 0, 'ram': 0})
            totals['instances'] += len(r['values_list'])
            totals['cores'] += sum(v['vcpus'] for v in r['values_list'])
            totals['ram'] += sum(v['memory_mb'] for v in r['values_list'])
        # Projects' locks in one order, so two batches cannot deadlock.
        for project_id in sorted(wanted):
            quotas.check(s, project_id, wanted[project_id], lock=True,
                         written=True)
        for r, created in zip(requests, rows):
            if r.get('group_uuid'):
                server_groups.join_within_quota(
                    s, r['group_uuid'], [c['uuid'] for c in created])
        return [instances.to_dicts(s, created, new=True) for created in rows]
