"""Snapshots and backups on this host: copy the root disk, upload it.

task_state walks image_snapshot (or image_backup) -> image_pending_upload
-> image_uploading -> None; the server keeps its vm_state throughout. The
disk is copied by the driver (qemu-img convert, disk_snapshot.py) into a
temporary file beside the instances, then PUT to the image the conductor
created, through the same image API compute downloads from (this
deployment's /image or an external Glance), with the requester's token.
A backup then deletes the oldest backups of its type beyond `rotation`
(before the task ends).
A failure deletes the image and ends the task with a fault; the server
stays as it was.
"""

import contextlib
import logging
import os
import shutil
import tempfile
import traceback

from common import exception
from common import states
from common.conf import CONF

LOG = logging.getLogger(__name__)
# Backups listed for one rotation, at most (the image API pages them).
MAX_ROTATION_SCAN = 1000


class Snapshots:

    def __init__(self, host, driver, conductor_api, glance):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.glance = glance

    def _step(self, ctxt, instance, expected, task_state):
        return self.conductor.instance_update(
            ctxt, instance['uuid'], {'task_state': task_state},
            expected_task_state=expected, host=self.host)

    @contextlib.contextmanager
    def _work_dir(self):
        os.makedirs(CONF.instances_path, exist_ok=True)
        path = tempfile.mkdtemp(prefix='.snapshot-', dir=CONF.instances_path)
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def capture(self, ctxt, instance, image, tasks):
        """Copy the disk and upload it to `image`, walking `tasks`: (the
        task_state now, pending upload, uploading). The instance as the
        last step left it (in the uploading task)."""
        first, pending, uploading = tasks
        instance = self._step(ctxt, instance, first, pending)
        with self._work_dir() as work:
            path = self.driver.snapshot(instance,
                                        os.path.join(work, 'snapshot'))
            instance = self._step(ctxt, instance, pending, uploading)
            with open(path, 'rb') as data:
                self.glance.upload(image['id'], ctxt, data,
                                   os.path.getsize(path))
        LOG.info('Uploaded the disk of %s to image %s', instance['uuid'],
                 image['id'])
        return instance

    def snapshot(self, ctxt, instance, image, kind, backup_type=None,
                 rotation=None):
        first = states.IMAGE_BACKUP if kind == 'backup' else \
            states.IMAGE_SNAPSHOT
        tasks = (first, states.IMAGE_PENDING_UPLOAD, states.IMAGE_UPLOADING)
        try:
            instance = self.capture(ctxt, instance, image, tasks)
            if kind == 'backup' and rotation is not None:
                self.rotate(ctxt, instance['uuid'], image['id'],
                            backup_type, rotation)
            self.conductor.instance_task_done(
                ctxt, instance['uuid'], {}, states.IMAGE_UPLOADING,
                host=self.host)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Snapshot of %s overtaken by another operation',
                     instance['uuid'])
            self.delete_image(ctxt, image['id'])
            return
        except Exception as error:
            LOG.exception('Snapshot of %s failed', instance['uuid'])
            self.delete_image(ctxt, image['id'])
            self.failed(ctxt, instance, tasks, error)
            return

    def failed(self, ctxt, instance, tasks, error):
        """End the task with a fault; the server keeps its state."""
        try:
            self.conductor.instance_task_done(
                ctxt, instance['uuid'],
                {'power_state': self.driver.get_power_state(instance)},
                list(tasks), failed=True,
                message=getattr(error, 'message', None) or str(error),
                details=traceback.format_exc(), host=self.host)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            pass

    def delete_image(self, ctxt, image_id):
        try:
            self.glance.delete(image_id, ctxt)
        except exception.ImageNotFound:
            pass
        except Exception:
            LOG.warning('Could not delete image %s', image_id, exc_info=True)

    def rotate(self, ctxt, instance_uuid, new_id, backup_type, rotation):
        """Keep the newest `rotation` backups of `backup_type` of the
        instance, `new_id` (the one just made) first; delete the older
        ones. Before the task ends, so a settled server has them rotated.
        """
        try:
            backups = self.glance.list(ctxt, {
                'instance_uuid': instance_uuid, 'image_type': 'backup',
                'backup_type': backup_type})
        except Exception:
            LOG.warning('Could not list the %s backups of %s to rotate them',
                        backup_type, instance_uuid, exc_info=True)
            return
        backups = [b for b in backups
                   if (b.get('properties') or {}).get('backup_type') ==
                   backup_type][:MAX_ROTATION_SCAN]
        # Image times have whole seconds: the new one is known, the rest
        # newest first.
        backups.sort(key=lambda b: (b['id'] == new_id,
                                    b.get('created_at') or '', b['id']),
                     reverse=True)
        for old in backups[rotation:]:
            LOG.info('Rotating out backup %s of %s', old['id'],
                     instance_uuid)
            self.delete_image(ctxt, old['id'])
