"""Instances: their records, the creates that start builds, a build's
progress and outcome, and the fixed IP the build's networking step takes.

Builds run in the manager's pool (its _start_build); `self.owner` is the
worker's takeover.BuildOwner.
"""

import contextlib
import logging

from common import coalesce
from common import row_pages
from common import exception
from common import metrics
from common import states
from common.conf import CONF
from nova_conductor.db import instance_create
from nova_conductor.db import instance_list
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import network as network_db

LOG = logging.getLogger(__name__)


def _expected(value):
    return transitions_db.UNSET if value == 'unset' else value


class InstancesEndpoints:
    # create_instances (1.0); create_together answers
    # create_instances_many (1.5); from 1.6 a create sent again gets the
    # stored rows.
    def create_instances(self, context, instances, request_spec):
        [created] = self.create_together(
            [(context, {'instances': instances,
                        'request_spec': request_spec})])
        return created

    @coalesce.batch_of('create_instances')
    def create_together(self, items):
        """create_instances for each of `items` in one transaction: quotas,
        the rows and group membership (NotFound or OverQuota leave nothing
        written; a batch refused together runs again one by one, so only
        the refused create fails). The same create sent again gets the
        stored rows, and starts no second build."""
        with self._resumed_if_stored([kw['instances'] for _, kw in items]):
            results = instance_create.create_together([
                self._create_request(ctxt, **kw) for ctxt, kw in items])
        for (ctxt, kw), created in zip(items, results):
            if created.new:
                metrics.inc('nova_boots_total', len(created.instances),
                            result='started')
                self._start_build(ctxt,
                                  [i['uuid'] for i in created.instances],
                                  kw['request_spec'])
        return [created.instances for created in results]

    def _create_request(self, context, instances, request_spec):
        return {
            'values_list': [
                dict(values, vm_state=states.BUILDING,
                     task_state=states.SCHEDULING,
                     power_state=states.NOSTATE, request_spec=request_spec,
                     build_owner=self.owner.id)
                for values in instances],
            'ctxt_dict': context.to_dict(),
            'project_id': request_spec.get('project_id') or
            context.project_id,
            'group_uuid': (request_spec.get('scheduler_hints') or {}).get(
                'group')}

    @contextlib.contextmanager
    def _resumed_if_stored(self, instances_lists):
        """Creates whose COMMIT was lost may be stored, with this worker
        as their owner and no build running: the next sweep resumes those
        that are (takeover.BuildOwner.release). The client sends the
        create again and gets them as stored."""
        try:
            yield
        except exception.DatabaseCommitUnknown:
            self.owner.release([values['uuid'] for values_list in
                                instances_lists for values in values_list
                                if values.get('uuid')])
            raise

    # (1.0; read_deleted from 1.1)
    def instance_get(self, context, instance_uuid, read_deleted=False):
        return instances_db.get(instance_uuid, read_deleted)

    # (1.11)
    def instance_get_by_fixed_ip(self, context, address):
        return instances_db.get_by_fixed_ip(address,
                                            CONF.network.network_name)

    # (1.11)
    def instance_password_set(self, context, instance_uuid, password):
        instances_db.set_password(instance_uuid, password)

    # (1.0; sort from 1.1)
    def instance_get_all(self, context, filters=None, limit=None,
                         marker=None, sort=None):
        return instances_db.get_all(filters, limit, marker, sort)

    # (1.19; rows_as_text 1.22)
    def instance_list(self, context, filters=None, limit=None, marker=None,
                      sort=None, fields=('uuid',), rows_as_text=False):
        page = instance_list.page(filters, limit, marker, sort, fields)
        return row_pages.as_text(page) if rows_as_text else page

    # (1.0; values may set auto_disk_config from 1.10, config_drive,
    # key_data and key_type from 1.11)
    def instance_update(self, context, instance_uuid, values,
                        expected_task_state='unset',
                        expected_vm_state='unset', host=None):
        return transitions_db.update(
            instance_uuid, values,
            expected_task_state=_expected(expected_task_state),
            expected_vm_state=_expected(expected_vm_state), host=host)

    # instance_advance (1.3; values may set config_drive from 1.11);
    # advance_together answers instance_advance_many (1.4).
    def instance_advance(self, context, instance_uuid, values,
                         expected_task_state, through=(), host=None,
                         allocate_ip=False):
        ip = self._with_bridge(transitions_db.advance(
            **self._advance_args(instance_uuid, values, expected_task_state,
                                 through, host, allocate_ip)))
        self._handed_out(context, [ip] if ip else [])
        return ip

    @coalesce.batch_of('instance_advance')
    def advance_together(self, items):
        """instance_advance for each of `items` in one transaction; each
        advance refused (its instance gone, or in another state) fails
        alone."""
        outcomes = transitions_db.advance_together(
            [self._advance_args(**kwargs) for _ctxt, kwargs in items])
        outcomes = [outcome if isinstance(outcome, Exception)
                    else self._with_bridge(outcome) for outcome in outcomes]
        self._handed_out(items[0][0], [
            outcome for outcome in outcomes
            if outcome and not isinstance(outcome, Exception)])
        return outcomes

    def _advance_args(self, instance_uuid, values, expected_task_state,
                      through=(), host=None, allocate_ip=False):
        return dict(instance_uuid=instance_uuid, values=values,
                    expected_task_state=_expected(expected_task_state),
                    through=through, host=host,
                    ip_network=self._ip_network() if allocate_ip else None)

    @staticmethod
    def _with_bridge(ip):
        if ip:
            ip['bridge'] = CONF.network.flat_network_bridge
        return ip

    # (1.0; values may set config_drive from 1.11)
    def instance_task_done(self, context, instance_uuid, values,
                           expected_task_state, failed=False, message=None,
                           details=None, host=None):
        return transitions_db.end_task(instance_uuid, values,
                                       expected_task_state, failed, message,
                                       details, host)

    # (1.0)
    def instance_destroy(self, context, instance_uuid):
        return instances_db.destroy(instance_uuid)

    # (1.0; a failure the host no longer holds changes nothing from 1.6)
    def build_failed(self, context, instance_uuid, host, message,
                     details=None, alternates=None, request_spec=None):
        try:
            self.builder.build_failed(context, instance_uuid, host, message,
                                      details, alternates, request_spec)
        except exception.DatabaseUnavailable:
            # It may have been taken off the host already (and a copy sent
            # again would then find nothing to do): if it waits in
            # scheduling, the next sweep resumes it.
            self.owner.release([instance_uuid])
            raise

    # (1.0)
    def allocate_fixed_ip(self, context, instance_uuid):
        ip = self._with_bridge(network_db.allocate_fixed_ip(
            instance_uuid, *self._ip_network()))
        self._handed_out(context, [ip])
        return ip

    def _handed_out(self, context, ips):
        """Tell every metadata service these fixed IPs (committed, the
        guests not booted yet) have a new holder: none may answer it with
        what it kept of the last one (nova_api/metadata/app.py). Sent
        again with a build's resent allocation, which is harmless. A
        failure to send fails no build: the cache period bounds it."""
        if not ips:
            return
        try:
            self.metadata_api.forget_addresses(
                context, [ip['address'] for ip in ips])
        except Exception as error:
            LOG.warning('Could not tell the metadata services that %s '
                        'changed hands: %s',
                        ', '.join(ip['address'] for ip in ips), error)

    @staticmethod
    def _ip_network():
        return CONF.network.network_name, CONF.network.fixed_range_v4
