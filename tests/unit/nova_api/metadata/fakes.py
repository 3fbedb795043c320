"""A conductor that knows a few instances, for the metadata service's
unit tests: it records every call, as the cache's worth is the calls it
saves."""

import base64
import threading

from common import exception

PROJECT = 'project-a'
SECRET = 'shared-secret'


def instance(number, address, **overrides):
    inst = {
        'uuid': '00000000-0000-4000-8000-%012d' % number, 'id': number,
        'display_name': 'vm-%d' % number, 'hostname': 'vm-%d' % number,
        'launch_index': 0, 'availability_zone': 'nova', 'metadata': {},
        'key_name': 'key-%d' % number,
        'key_data': 'ssh-ed25519 AAAA%d user@host' % number,
        'key_type': 'ssh',
        'user_data': base64.b64encode(b'#!/bin/sh\necho vm-%d\n'
                                      % number).decode(),
        'project_id': PROJECT, 'flavor': {'name': 'm1.tiny'},
        'image_ref': 'aaaabbbb-0000-0000-0000-000000000000',
        'reservation_id': 'r-%08d' % number, 'ephemeral_gb': 0,
        'fixed_ips': [{'address': address,
                       'mac': 'fa:16:3e:00:00:%02x' % number}],
        'password': None, 'deleted': False}
    inst.update(overrides)
    return inst


class Conductor:
    def __init__(self, *instances):
        self.instances = {i['uuid']: i for i in instances}
        self.calls = []
        self.lock = threading.Lock()

    def _record(self, *call):
        with self.lock:
            self.calls.append(call)

    def add(self, inst):
        self.instances[inst['uuid']] = inst

    def delete(self, uuid):
        """Mark deleted and release its fixed IPs, as the conductor
        does."""
        self.instances[uuid]['deleted'] = True
        self.instances[uuid]['fixed_ips'] = []

    def instance_get(self, ctxt, uuid, read_deleted=False):
        self._record('instance_get', uuid)
        inst = self.instances.get(uuid)
        if inst is None or inst['deleted'] and not read_deleted:
            raise exception.InstanceNotFound(instance_id=uuid)
        return dict(inst)

    def instance_get_by_fixed_ip(self, ctxt, address):
        self._record('instance_get_by_fixed_ip', address)
        for inst in self.instances.values():
            if not inst['deleted'] and any(
                    ip['address'] == address for ip in inst['fixed_ips']):
                return dict(inst)
        raise exception.InstanceNotFound(instance_id=address)

    def instance_password_set(self, ctxt, uuid, password):
        self._record('instance_password_set', uuid)
        inst = self.instances[uuid]
        if inst['password'] and password:
            raise exception.InstancePasswordSet(instance_id=uuid)
        inst['password'] = password
