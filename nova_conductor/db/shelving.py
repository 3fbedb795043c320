"""Where a shelve, an offload and an unshelve end: one locked
compare-and-swap each, with the instance-action event of the step and
the shelved_* keys of system_metadata (Nova's)."""

from common import exception
from nova_conductor.db import actions
from nova_conductor.db import compute
from nova_conductor.db import instance_transitions as transitions
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import session
from nova_conductor.db import convert

SHELVED_KEYS = ('shelved_at', 'shelved_image_id', 'shelved_host')


def finish(instance_uuid, host, expected_task_state, values,
           system_metadata=None, free=False, fault=None):
    """Move the instance on from `expected_task_state` on `host`: set
    `values`, merge `system_metadata` (a None value removes its key) and,
    with `free`, give back what it holds on its host and leave it (host,
    node cleared). `fault`: (message, details) of a failure, recorded.
    UnexpectedTaskState when another operation took it."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        if host is not None and row['host'] != host:
            raise exception.UnexpectedTaskState(
                instance_uuid=instance_uuid, expected=expected_task_state,
                actual='%s on %s, not %s' % (row['task_state'], row['host'],
                                             host))
        values = dict(values)
        if system_metadata is not None:
            merged = convert.loads(row['system_metadata'] or '{}')
            for key, value in system_metadata.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            values['system_metadata'] = merged
        if free:
            compute._free(s, instance_uuid)
            values.update(host=None, node=None, compute_node_id=None)
        if fault is not None:
            actions.fault_create(s, instance_uuid, 500, fault[0], fault[1],
                                 host)
        new = transitions.compare_and_swap(s, row, values,
                                           expected_task_state,
                                           transitions.UNSET, host)
        return instances.to_dicts(s, [new])[0]


def shelved_values(image_id, host):
    """The system_metadata a shelved server keeps."""
    return {'shelved_at': convert.iso(models.utcnow()),
            'shelved_image_id': image_id, 'shelved_host': host}


def unshelved_values():
    return dict.fromkeys(SHELVED_KEYS)
