"""Snapshots and backups (createImage, createBackup): start them.

The conductor checks the state (a compare-and-swap that opens the
instance action), creates the queued image record with Nova's image
properties, and casts the work to the instance's compute host, which
copies the disk and uploads it (nova_compute/snapshot.py). The API answers
with the new image's id at once.

Image records are made where images live: the local registry's table, or
the external Glance with the caller's token (common/glance_client.py
decides which, as for every image read).
"""

from common import exception
from common import glance_client
from common import states
from nova_compute import volumes
from nova_conductor import image_lookup
from nova_conductor import lifecycle
from nova_conductor.db import catalog
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db

# The states a server may be snapshotted (or shelved) in.
SNAPSHOT_VM_STATES = (states.ACTIVE, states.STOPPED, states.PAUSED,
                      states.SUSPENDED)
# What a snapshot copies of its source image's properties: all but these.
_NOT_INHERITED = ('img_signature', 'img_signature_hash_method',
                  'img_signature_key_type', 'img_signature_certificate_uuid',
                  'image_type', 'instance_uuid', 'user_id', 'backup_type',
                  'base_image_ref', 'owner_id')
# Kinds of image: (instance action, first task_state).
KINDS = {'snapshot': ('createImage', states.IMAGE_SNAPSHOT),
         'backup': ('createBackup', states.IMAGE_BACKUP)}


def check_image_backed(instance, action):
    """Snapshots here copy the image-backed root disk: a volume-backed
    server is refused (400), before anything changes."""
    if volumes.is_volume_backed(instance):
        raise exception.Invalid(
            reason='%s of a volume-backed server is not supported by this '
                   'cloud: snapshot its volume with the block storage '
                   'service instead.' % action)


def image_values(ctxt, instance, name, image_type, extra=None):
    """The queued image a snapshot of `instance` fills: Nova's properties
    (image_type, instance_uuid, base_image_ref, owner, user_id) over the
    source image's, then the caller's `extra` metadata."""
    source = image_lookup.from_spec(instance['request_spec']) or {}
    props = {key: value for key, value in
             (source.get('properties') or {}).items()
             if key not in _NOT_INHERITED and not key.startswith(
                 'os_glance')}
    props.update({
        'image_type': image_type,
        'instance_uuid': instance['uuid'],
        'user_id': ctxt.user_id or instance['user_id'],
        'owner_id': instance['project_id'],
    })
    if instance.get('image_ref'):
        props['base_image_ref'] = instance['image_ref']
    props.update(extra or {})
    props = {key: value if isinstance(value, str) else str(value)
             for key, value in props.items() if value is not None}
    return {
        'name': name, 'disk_format': 'qcow2', 'container_format': 'bare',
        'visibility': 'private',
        'min_disk': max(int(instance.get('root_gb') or 0),
                        int(source.get('min_disk') or 0)),
        'min_ram': int(source.get('min_ram') or 0),
        'owner': instance['project_id'], 'properties': props,
    }


def create_image(ctxt, values):
    """The queued image record, in the registry that serves images."""
    glance = image_lookup.client()
    if glance.is_external():
        body = dict((k, v) for k, v in values.items()
                    if k not in ('properties', 'owner'))
        body.update(values['properties'])
        return glance.create(ctxt, body)
    return catalog.image_create(dict(values, status='queued'))


def delete_image(ctxt, image_id):
    """Forget a queued image nothing was uploaded to (an operation that
    could not start); a failure here leaves it queued, never raises."""
    try:
        glance = image_lookup.client()
        if glance.is_external():
            glance.delete(image_id, ctxt)
        else:
            catalog.image_delete(image_id)
    except Exception:
        pass


def begin_with_image(ctxt, instance_uuid, action, task_state, vm_states,
                     values_for):
    """Open `action` (409 when the state forbids it), then make its image
    record; an image service failure ends the action with its reason.
    `values_for(instance)` is the image to create. (instance, image)."""
    instance = transitions_db.begin_task(
        instance_uuid, action, task_state, vm_states, (None,),
        ctxt.to_dict())
    try:
        image = create_image(ctxt, values_for(instance))
    except exception.NovaException as error:
        transitions_db.end_task(instance_uuid, {}, task_state, failed=True,
                                message=error.message)
        raise
    return instance, image


def snapshot(compute_api, ctxt, instance_uuid, name, kind='snapshot',
             extra=None, backup_type=None, rotation=None):
    """Start a snapshot (`kind` 'snapshot') or a backup of the instance;
    the queued image it will fill. A backup then keeps the newest
    `rotation` backups of its `backup_type`."""
    action, task_state = KINDS[kind]
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, action)
    check_image_backed(instance, action)
    extra = dict(extra or {})
    if kind == 'backup':
        extra['backup_type'] = backup_type
    instance, image = begin_with_image(
        ctxt, instance_uuid, action, task_state, SNAPSHOT_VM_STATES,
        lambda i: image_values(ctxt, i, name, kind, extra))
    try:
        compute_api.snapshot_instance(
            ctxt, instance['host'], instance, image, kind,
            backup_type=backup_type, rotation=rotation)
    except exception.NovaException as error:
        transitions_db.end_task(instance_uuid, {}, task_state, failed=True,
                                message=error.message)
        delete_image(ctxt, image['id'])
        raise
    return glance_client.spec_image(image)
