"""The cloud Tempest runs against, started fresh for each run.

A real Keystone (tests/functional/keystone.py, on a fresh PostgreSQL
database, dropped afterwards) and one nova-all-in-one in
keystone mode with its own state directory and two simulated compute
hosts; `nova-manage keystone register` puts its compute and image
endpoints in Keystone's catalog, as an operator would. Then two flavors
are created and a second image uploaded through the API, so Tempest has
flavor_ref/flavor_ref_alt and image_ref/image_ref_alt. `stop()` copies
every daemon's log into the artifacts directory and removes the rest.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import requests

from tests.tempest import features
from tests.functional import keystone as keystone_mod

BIN = os.path.dirname(sys.executable)
COMPUTE_HOSTS = 2
# Each simulated host: room for Tempest's two workers' servers at once.
HOST_VCPUS = 16
HOST_MEMORY_MB = 32768
FLAVORS = [
    {'name': 'tempest.tiny', 'id': 'tempest-1', 'ram': 256, 'vcpus': 1,
     'disk': 1},
    {'name': 'tempest.tiny.alt', 'id': 'tempest-2', 'ram': 320,
     'vcpus': 1, 'disk': 1},
]
SEEDED_IMAGE = 'demo-image'
ALT_IMAGE = 'tempest-image-alt'


def default_filters():
    from common.conf import CONF
    return list(CONF.filter_scheduler.enabled_filters)


class Cloud:

    def __init__(self, artifacts, keystone_database='postgresql'):
        self.artifacts = artifacts
        self.dir = tempfile.mkdtemp(prefix='tempest-cloud-')
        # Tempest's workers create and delete projects and users all run
        # long: PostgreSQL lets Keystone serve them concurrently; SQLite
        # only one at a time (see tests/functional/keystone.py).
        self.keystone = keystone_mod.Keystone(
            threads=1 if keystone_database == 'sqlite' else 4,
            database=keystone_database, cache=True)
        self.proc = None
        self.log = None
        self.api = None
        self.compute_hosts = COMPUTE_HOSTS
        self.scheduler_filters = default_filters() + [
            f for f in features.EXTRA_SCHEDULER_FILTERS
            if f not in default_filters()]
        self.flavor_ids = []
        self.image_ids = []
        self.min_microversion = self.max_microversion = None

    # -- start ---------------------------------------------------------------

    def start(self):
        try:
            self.keystone.start()
            self._start_all_in_one()
            self._register()
            self._read_versions()
            self._create_flavors()
            self._ensure_images()
        except BaseException:
            self.stop()
            raise
        return self

    def _write_conf(self):
        path = os.path.join(self.dir, 'nova.conf')
        with open(path, 'w') as f:
            f.write(self.keystone.authtoken_conf())
            f.write(textwrap.dedent('''\
                [filter_scheduler]
                enabled_filters = %s
                ''') % ','.join(self.scheduler_filters))
        return path

    def _start_all_in_one(self):
        self.conf = self._write_conf()
        self.log_path = os.path.join(self.dir, 'nova-all-in-one.log')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'nova-all-in-one'), '--port', '0',
             '--ec2-port', '0', '--state-dir', os.path.join(self.dir, 'state'),
             '--config-file', self.conf,
             '--compute-hosts', str(COMPUTE_HOSTS),
             '--host-vcpus', str(HOST_VCPUS),
             '--host-memory-mb', str(HOST_MEMORY_MB)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with open(self.log_path) as f:
                found = re.search(r'Compute API: (http://\S+)/v2\.1/',
                                  f.read())
            if found:
                self.api = found.group(1)
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        with open(self.log_path) as f:
            raise RuntimeError('nova-all-in-one did not start:\n%s'
                               % f.read()[-5000:])

    def _register(self):
        subprocess.run(
            [os.path.join(BIN, 'nova-manage'), '--config-file', self.conf,
             'keystone', 'register', '--url', self.api + '/v2.1',
             '--image-url', self.api + '/image'] +
            self.keystone.admin_cli_args(),
            check=True, capture_output=True, text=True, timeout=120)

    def _call(self, method, path, expect, **kwargs):
        headers = kwargs.pop('headers', {})
        headers['X-Auth-Token'] = self.keystone.token('admin')
        resp = requests.request(method, self.api + path, headers=headers,
                                timeout=60, **kwargs)
        if resp.status_code != expect:
            raise RuntimeError('%s %s answered %s: %s' % (
                method, path, resp.status_code, resp.text[:2000]))
        return resp.json() if resp.content else None

    def _read_versions(self):
        """The microversions nova-api advertises, as Tempest will see
        them."""
        version = self._call('GET', '/v2.1/', 200)['version']
        self.min_microversion = version['min_version']
        self.max_microversion = version['version']

    def _create_flavors(self):
        for flavor in FLAVORS:
            self._call('POST', '/v2.1/flavors', 200,
                       json={'flavor': flavor})
            self.flavor_ids.append(flavor['id'])

    def _ensure_images(self):
        images = self._call('GET', '/image/v2/images?name=%s'
                            % SEEDED_IMAGE, 200)['images']
        self.image_ids.append(images[0]['id'])
        image = self._call('POST', '/image/v2/images', 201, json={
            'name': ALT_IMAGE, 'disk_format': 'qcow2',
            'container_format': 'bare', 'visibility': 'public'})
        path = os.path.join(self.dir, 'alt.qcow2')
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', path,
                        '1G'], check=True)
        with open(path, 'rb') as f:
            self._call('PUT', '/image/v2/images/%s/file' % image['id'], 204,
                       data=f,
                       headers={'Content-Type': 'application/octet-stream'})
        self.image_ids.append(image['id'])

    # -- stop ----------------------------------------------------------------

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
        self._keep(self.dir, 'nova-all-in-one.log')
        self._keep(self.keystone.dir, 'keystone.log', 'gunicorn.log')
        self.keystone.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _keep(self, directory, *names):
        os.makedirs(self.artifacts, exist_ok=True)
        for name in names:
            path = os.path.join(directory, name)
            if os.path.exists(path):
                shutil.copy(path, os.path.join(self.artifacts, name))
