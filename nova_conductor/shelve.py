"""Shelve, shelveOffload and unshelve: start them, and record how they end.

shelve: the compute powers the server off, snapshots its disk to the image
`<name>-shelved` and leaves it SHELVED; with [DEFAULT] shelved_offload_time
0 (or later, from its periodic task) it offloads it: the domain destroyed,
the allocation given back, host and node cleared, SHELVED_OFFLOADED.
unshelve: a SHELVED server is powered on where it is; an offloaded one is
scheduled again like a boot (an availability zone from 2.77, a host from
2.91), claimed, and spawned from the shelved image, which then goes.
"""

import logging

from common import exception
from common import states
from nova_conductor import availability_zones
from nova_conductor import build
from nova_conductor import image_lookup
from nova_conductor import lifecycle
from nova_conductor import snapshot
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import placement as placement_db
from nova_conductor.db import shelving as shelving_db

LOG = logging.getLogger(__name__)
# Unset: unshelve was given no availability_zone (null unpins, 2.91).
UNSET = 'unset'


def shelve(compute_api, ctxt, instance_uuid):
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'shelve')
    snapshot.check_image_backed(instance, 'Shelving')
    instance, image = snapshot.begin_with_image(
        ctxt, instance_uuid, 'shelve', states.SHELVING,
        snapshot.SNAPSHOT_VM_STATES,
        lambda i: snapshot.image_values(
            ctxt, i, '%s-shelved' % i['display_name'], 'snapshot'))
    try:
        compute_api.shelve_instance(ctxt, instance['host'], instance, image)
    except exception.NovaException as error:
        transitions_db.end_task(instance_uuid, {}, states.SHELVING,
                                failed=True, message=error.message)
        snapshot.delete_image(ctxt, image['id'])
        raise
    return instance


def shelve_offload(compute_api, ctxt, instance_uuid):
    # Only a SHELVED server may be offloaded, and it is on its host.
    instance = transitions_db.begin_task(
        instance_uuid, 'shelveOffload', states.SHELVING_OFFLOADING,
        (states.SHELVED,), (None,), ctxt.to_dict())
    compute_api.shelve_offload_instance(ctxt, instance['host'], instance)
    return instance


def _check_destination(instance, zone, host):
    """Nova's 2.77/2.91 rules: a SHELVED server is unshelved where it is
    (409 for a zone or host); a zone must exist, a host must be a
    compute host, in the zone when both are given (400)."""
    if instance['vm_state'] == states.SHELVED and (
            zone not in (UNSET, None) or host):
        raise exception.InstanceInvalidState(
            action='unshelve to an availability zone or host',
            instance_uuid=instance['uuid'], attr='vm_state',
            state=instance['vm_state'])
    zones = {z['name']: z for z in availability_zones.zones()
             if z['name'] != availability_zones.INTERNAL_ZONE}
    if zone not in (UNSET, None) and zone not in zones:
        raise exception.ValidationError(
            reason='The requested availability zone is not available')
    if host:
        if compute_db.service_get_by_host(host) is None:
            raise exception.ValidationError(
                reason='Compute host %s could not be found.' % host)
        if zone not in (UNSET, None) and host not in zones[zone]['hosts']:
            raise exception.ValidationError(
                reason='Host %s is not in availability zone %s.'
                % (host, zone))


def unshelve(scheduler_api, compute_api, ctxt, instance_uuid, zone=UNSET,
             host=None):
    """Start an unshelve; the instance as it then is. An offloaded server
    no host can take stays SHELVED_OFFLOADED with a fault, as in Nova."""
    instance = instances_db.get(instance_uuid)
    _check_destination(instance, zone, host)
    if instance['vm_state'] == states.SHELVED:
        instance = transitions_db.begin_task(
            instance_uuid, 'unshelve', states.UNSHELVING, (states.SHELVED,),
            (None,), ctxt.to_dict())
        compute_api.unshelve_instance(ctxt, instance['host'], instance)
        return instance
    spec = dict(instance['request_spec'] or {})
    if zone != UNSET:
        # Remembered: later moves keep to the zone (or to none, null).
        spec['availability_zone'] = zone
    instance = transitions_db.begin_task(
        instance_uuid, 'unshelve', states.UNSHELVING,
        (states.SHELVED_OFFLOADED,), (None,), ctxt.to_dict(),
        {'request_spec': spec})
    try:
        return _place(scheduler_api, compute_api, ctxt, instance, spec, host)
    except exception.NovaException as error:
        LOG.info('Unshelve of %s found no host: %s', instance_uuid,
                 error.message)
        return transitions_db.end_task(
            instance_uuid, {}, states.UNSHELVING, failed=True,
            message=error.message)


def _place(scheduler_api, compute_api, ctxt, instance, spec, host):
    """Schedule the offloaded instance like a boot, claim, cast."""
    image_id = (instance.get('system_metadata') or {}).get(
        'shelved_image_id')
    image = image_lookup.get(image_id) if image_id else \
        image_lookup.from_spec(spec)
    spec = build.with_instance_group(dict(
        spec, flavor=instance['flavor'],
        image=image or spec.get('image') or {}))
    # A host asked for (2.91) still passes the filters, as Nova's
    # requested destination does (the scheduler's requested_host step).
    spec['force_hosts'] = []
    spec['force_nodes'] = []
    spec['ignore_hosts'] = []
    spec['requested_host'] = host
    [choices] = scheduler_api.select_destinations(ctxt, spec,
                                                  [instance['uuid']])
    group = (spec.get('scheduler_hints') or {}).get('group')
    for choice in choices:
        try:
            placed = placement_db.claim_and_place(
                instance['uuid'], choice, instance['flavor'], group,
                expected_task_state=states.UNSHELVING)
        except exception.ResourcesUnavailable:
            continue
        compute_api.unshelve_instance(ctxt, choice['host'], placed, image,
                                      node=choice['nodename'])
        return placed
    raise exception.NoValidHost(
        reason='Every host chosen was taken before the claim.')


# -- what the compute reports ----------------------------------------------

def shelved(instance_uuid, host, image_id, power_state, offloading):
    """The snapshot is up: SHELVED, or on to offloading at once."""
    return shelving_db.finish(
        instance_uuid, host, states.SHELVING_IMAGE_UPLOADING,
        {'vm_state': states.SHELVED, 'power_state': power_state,
         'task_state': states.SHELVING_OFFLOADING if offloading else None},
        shelving_db.shelved_values(image_id, host))


def offloaded(instance_uuid, host):
    """The domain is gone from `host`: the server holds nothing there."""
    return shelving_db.finish(
        instance_uuid, host, states.SHELVING_OFFLOADING,
        {'vm_state': states.SHELVED_OFFLOADED, 'task_state': None,
         'power_state': states.NOSTATE}, free=True)


def unshelved(instance_uuid, host, values, expected_task_state):
    """Running again on `host`; the shelved image is forgotten."""
    return shelving_db.finish(
        instance_uuid, host, expected_task_state,
        dict(values, vm_state=states.ACTIVE, task_state=None),
        shelving_db.unshelved_values())


def unshelve_failed(instance_uuid, host, expected_task_state, message,
                    details=None):
    """The spawn failed: offloaded again, holding nothing, with a fault
    (the shelved image stays, for another try)."""
    return shelving_db.finish(
        instance_uuid, host, expected_task_state,
        {'vm_state': states.SHELVED_OFFLOADED, 'task_state': None,
         'power_state': states.NOSTATE}, free=True,
        fault=(message, details))
