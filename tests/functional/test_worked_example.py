"""Worked example: adding a build parameter touches three places.

A build carries two things from the API to the compute: the instance
values (stored as columns) and the request spec, which the conductor
stores with the instance and hands unchanged to the scheduler and to the
compute (docs/architecture.md, "A boot, step by step"). So a parameter
that only the compute acts on needs the create schema, the request spec
the API builds, and its reader on the compute: the diff below, in two
files. No conductor, scheduler or RPC signature changes.

This test applies that diff to a copy of the code, runs the all-in-one
from the copy, and boots a server with the new parameter: the compute
sees it. When the code moves so the diff no longer applies, or the value
no longer arrives, this test fails, and the example (and the doc) must be
brought up to date.
"""

import os
import shutil
import subprocess
import sys
import threading

import requests

from tests.functional import test_all_in_one as all_in_one

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

WORKED_EXAMPLE = r'''
--- a/nova_api/resources/servers.py
+++ b/nova_api/resources/servers.py
@@ -95,6 +95,7 @@
     'personality': PERSONALITY_SCHEMA,
     'block_device_mapping': block_devices.LEGACY_SCHEMA,
     'block_device_mapping_v2': block_devices.V2_SCHEMA,
+    'x-example:note': {'type': 'string', 'maxLength': 255},
 }
 
 # (first version, changes to the 'server' properties). None removes one.
@@ -263,6 +264,7 @@
             'scheduler_hints': self._hints(body),
             'requested_networks': self._networks(server.get('networks')),
             'ignore_hosts': [],
+            'note': server.get('x-example:note'),
         }
         request_spec.update(self._zone(ctxt, server.get('availability_zone')))
         request_spec.update(self._requested_host(ctxt, server))
--- a/nova_compute/build.py
+++ b/nova_compute/build.py
@@ -101,6 +101,9 @@
             metrics.add('nova_compute_builds_in_flight', -1)
 
     def _build(self, ctxt, instance, image, request_spec, resume_from):
+        if request_spec.get('note'):
+            LOG.info('Build of %s carries the note %r', instance['uuid'],
+                     request_spec['note'])
         block_devices = []
         if volumes.volume_mappings(instance):
             instance, block_devices = self._volumes_step(ctxt, instance,
'''.lstrip('\n')


def _places(diff):
    """(files, hunks) the diff touches."""
    lines = diff.splitlines()
    return (sum(line.startswith('+++ ') for line in lines),
            sum(line.startswith('@@ ') for line in lines))


def _patched_copy(dest):
    """The code (no tests, venvs or docs) with the worked example applied."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
        '.git', '.venv*', 'tests', 'docs', 'bench', '__pycache__', 'state'))
    subprocess.run(['git', 'apply', '--verbose', '-'], cwd=dest,
                   input=WORKED_EXAMPLE, text=True, check=True)


def test_the_worked_example_takes_three_places_in_two_files():
    assert _places(WORKED_EXAMPLE) == (2, 3)


def test_a_new_build_parameter_reaches_the_compute(tmp_path):
    code = tmp_path / 'code'
    _patched_copy(code)
    env = dict(os.environ, PYTHONPATH=str(code))
    proc, url, lines = all_in_one._start(
        tmp_path / 'state', env=env,
        command=[sys.executable, '-m', 'nova_all_in_one.cmd'], cwd=code)
    # The rest of its output, for the compute's log line.
    reader = threading.Thread(
        target=lambda: lines.extend(iter(proc.stdout.readline, '')),
        daemon=True)
    reader.start()
    try:
        image = requests.get(url + '/v2.1/images').json()['images'][0]
        body = {'server': {'name': 'noted', 'flavorRef': '1',
                           'imageRef': image['id'], 'networks': 'none'}}
        # The schema bounds it like any other field.
        long = dict(body['server'], **{'x-example:note': 'x' * 256})
        resp = requests.post(url + '/v2.1/servers', json={'server': long})
        assert resp.status_code == 400, resp.text
        assert 'x-example:note' in resp.json()['badRequest']['message']
        body['server']['x-example:note'] = 'from the API'
        resp = requests.post(url + '/v2.1/servers', json=body)
        assert resp.status_code == 202, resp.text
        server = all_in_one._wait(url, resp.json()['server']['id'],
                                  'ACTIVE')
        wanted = "Build of %s carries the note 'from the API'" % server['id']
        assert any(wanted in line for line in lines), ''.join(lines[-40:])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
