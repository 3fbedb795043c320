"""Shelving on this host: shelve, offload, unshelve.

shelve: shelving (the guest powered off) -> shelving_image_pending_upload
-> shelving_image_uploading (snapshot.py's copy and upload) -> SHELVED;
with [DEFAULT] shelved_offload_time 0 on to shelving_offloading at once.
offload: the domain and its files destroyed, then the conductor gives
back the allocation and clears host and node: SHELVED_OFFLOADED. A
periodic task offloads servers shelved here longer than
shelved_offload_time seconds.
unshelve: a SHELVED server is powered on; an offloaded one, scheduled
here by the conductor, is spawned from its shelved image (spawning). The
shelved image is deleted once the server runs.
"""

import datetime
import logging
import traceback

from common import context as nova_context
from common import exception
from common import states
from common.conf import CONF

LOG = logging.getLogger(__name__)
SHELVE_TASKS = (states.SHELVING, states.SHELVING_IMAGE_PENDING_UPLOAD,
                states.SHELVING_IMAGE_UPLOADING)
SNAPSHOT_TASKS = (states.IMAGE_SNAPSHOT, states.IMAGE_BACKUP,
                  states.IMAGE_PENDING_UPLOAD, states.IMAGE_UPLOADING)
# What recovery.py hands here when this host left it half done.
RECOVERABLE = SNAPSHOT_TASKS + SHELVE_TASKS + (
    states.SHELVING_OFFLOADING, states.UNSHELVING)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Shelving:

    def __init__(self, host, driver, conductor_api, snapshots):
        self.host = host
        self.driver = driver
        self.conductor = conductor_api
        self.snapshots = snapshots

    def shelve(self, ctxt, instance, image):
        uuid = instance['uuid']
        offload = CONF.shelved_offload_time == 0
        try:
            self.driver.power_off(instance, CONF.shutdown_timeout)
            instance = self.snapshots.capture(ctxt, instance, image,
                                              SHELVE_TASKS)
            instance = self.conductor.instance_shelved(
                ctxt, uuid, self.host, image['id'],
                self.driver.get_power_state(instance), offload)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Shelve of %s overtaken by another operation', uuid)
            self.snapshots.delete_image(ctxt, image['id'])
            return
        except Exception as error:
            LOG.exception('Shelve of %s failed', uuid)
            self.snapshots.delete_image(ctxt, image['id'])
            self._power_back(instance)
            self.snapshots.failed(ctxt, instance, SHELVE_TASKS, error)
            return
        if offload:
            self.offload(ctxt, instance)

    def _power_back(self, instance):
        """A server that ran before a failed shelve runs again."""
        if instance.get('vm_state') != states.ACTIVE:
            return
        try:
            self.driver.power_on(instance)
        except Exception:
            LOG.exception('Could not start %s again after its failed '
                          'shelve', instance['uuid'])

    def offload(self, ctxt, instance):
        """Destroy the domain; the conductor frees the host's resources."""
        uuid = instance['uuid']
        try:
            self.driver.destroy(instance)
            self.conductor.instance_offloaded(ctxt, uuid, self.host)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Offload of %s overtaken by another operation', uuid)
        except Exception as error:
            LOG.exception('Offload of %s failed', uuid)
            try:
                self.conductor.instance_task_done(
                    ctxt, uuid, {}, states.SHELVING_OFFLOADING, failed=True,
                    message=getattr(error, 'message', None) or str(error),
                    details=traceback.format_exc(), host=self.host)
            except (exception.UnexpectedTaskState,
                    exception.InstanceNotFound):
                pass

    def unshelve(self, ctxt, instance, image=None):
        """Power on a SHELVED server here (no `image`), or spawn an
        offloaded one from its shelved `image`."""
        uuid = instance['uuid']
        image_id = (instance.get('system_metadata') or {}).get(
            'shelved_image_id')
        expected = states.UNSHELVING
        try:
            if image is None:
                self.driver.power_on(instance)
            else:
                instance = self.conductor.instance_update(
                    ctxt, uuid, {'task_state': states.SPAWNING},
                    expected_task_state=states.UNSHELVING, host=self.host)
                expected = states.SPAWNING
                self._spawn(ctxt, instance, image)
            power = self.driver.wait_for_running(
                instance, CONF.libvirt.wait_running_timeout)
            if power != states.RUNNING:
                raise exception.HypervisorError(
                    reason='domain did not reach running')
            self.conductor.instance_unshelved(
                ctxt, uuid, self.host, {'power_state': power}, expected)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            LOG.info('Unshelve of %s overtaken by another operation', uuid)
            return
        except Exception as error:
            LOG.exception('Unshelve of %s failed', uuid)
            self._failed(ctxt, instance, image, expected, error)
            return
        if image_id:
            self.snapshots.delete_image(ctxt, image_id)

    def _spawn(self, ctxt, instance, image):
        network_info = []
        if instance.get('fixed_ips'):
            # Its addresses were kept while offloaded: handed back as is.
            network_info.append(self.conductor.allocate_fixed_ip(
                ctxt, instance['uuid']))
        self.driver.spawn(instance, image, network_info)

    def _failed(self, ctxt, instance, image, expected, error):
        message = getattr(error, 'message', None) or str(error)
        try:
            if image is None:
                # Still SHELVED on this host, its domain stopped.
                self.conductor.instance_task_done(
                    ctxt, instance['uuid'],
                    {'power_state': self.driver.get_power_state(instance)},
                    expected, failed=True, message=message,
                    details=traceback.format_exc(), host=self.host)
                return
            try:
                self.driver.destroy(instance)
            except Exception:
                LOG.exception('Could not clean up %s after a failed '
                              'unshelve', instance['uuid'])
            self.conductor.unshelve_failed(
                ctxt, instance['uuid'], self.host, expected, message,
                traceback.format_exc())
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            pass

    def recover(self, ctxt, instance, why):
        """Finish what a snapshot, shelve or unshelve left (the service
        restarted, or nothing here works on it any more; `why` says which):
        an offload or an unshelve in place is done again; an unshelve
        spawn goes back to offloaded; a copy or upload cut short ends
        with a fault, its queued image left for its owner."""
        task = instance['task_state']
        if task == states.SHELVING_OFFLOADING:
            return self.offload(ctxt, instance)
        if task == states.UNSHELVING and \
                instance['vm_state'] == states.SHELVED:
            return self.unshelve(ctxt, instance)
        message = '%s%s' % (why, task)
        try:
            if instance['vm_state'] == states.SHELVED_OFFLOADED:
                self.driver.destroy(instance)
                self.conductor.unshelve_failed(
                    ctxt, instance['uuid'], self.host, task, message)
                return
            self.conductor.instance_task_done(
                ctxt, instance['uuid'],
                {'power_state': self.driver.get_power_state(instance)},
                task, failed=True, message=message, host=self.host)
        except (exception.UnexpectedTaskState, exception.InstanceNotFound):
            pass

    def offload_old(self):
        """The periodic task: offload what was shelved here more than
        shelved_offload_time seconds ago (none when it is -1 or 0)."""
        if CONF.shelved_offload_time <= 0:
            return []
        ctxt = nova_context.get_admin_context()
        limit = _now() - datetime.timedelta(
            seconds=CONF.shelved_offload_time)
        offloaded = []
        for instance in self.conductor.instance_get_all(
                ctxt, {'host': self.host, 'vm_state': [states.SHELVED]}):
            at = (instance.get('system_metadata') or {}).get('shelved_at')
            if instance['task_state'] is not None or not at or \
                    _parse(at) > limit:
                continue
            try:
                instance = self.conductor.instance_update(
                    ctxt, instance['uuid'],
                    {'task_state': states.SHELVING_OFFLOADING},
                    expected_task_state=None, expected_vm_state=states.SHELVED,
                    host=self.host)
            except (exception.UnexpectedTaskState,
                    exception.InstanceInvalidState,
                    exception.InstanceNotFound):
                continue
            self.offload(ctxt, instance)
            offloaded.append(instance['uuid'])
        return offloaded


def _parse(text):
    parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(
            tzinfo=None)
    return parsed
