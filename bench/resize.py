"""Resize benchmark on the libvirt test driver: nova-api, -conductor,
-scheduler and two nova-compute over RabbitMQ and PostgreSQL, each
compute with its own instances_path (the disks are copied between
them). One operation at a time, so each figure is one operation's
latency:

- boot (the baseline, same run): API POST -> ACTIVE;
- resize m1.tiny -> m1.small to the other host: POST resize ->
  VERIFY_RESIZE;
- confirm: POST confirmResize -> ACTIVE;
- revert: POST revertResize -> ACTIVE on the old host;
- cold migrate: POST migrate -> VERIFY_RESIZE.

    python bench/resize.py [--count 20]

Prints p50/p95 per phase and the whole machine's CPU seconds per
operation (/proc/stat).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.phases import print_table  # noqa: E402
from bench.phases import timed as _timed  # noqa: E402
from tests.functional import deployment as deployment_mod  # noqa: E402


def _act(dep, server_id, body, status, code=202):
    resp = dep.action(server_id, body)
    assert resp.status_code == code, resp.text
    return dep.settle(server_id, status, timeout=120)


def run(dep, count):
    results = {}
    for i in range(count):
        def boot():
            resp = dep.request('POST', '/v2.1/servers', json={'server': {
                'name': 'b-%d' % i, 'flavorRef': '1', 'networks': 'none',
                'imageRef': dep.image['id']}})
            assert resp.status_code == 202, resp.text
            return dep.settle(resp.json()['server']['id'], 'ACTIVE',
                              timeout=120)
        server = _timed('boot (baseline)', results, boot)
        sid = server['id']
        _timed('resize -> VERIFY_RESIZE', results, lambda: _act(
            dep, sid, {'resize': {'flavorRef': '2'}}, 'VERIFY_RESIZE'))
        _timed('revertResize -> ACTIVE', results, lambda: _act(
            dep, sid, {'revertResize': None}, 'ACTIVE'))
        _timed('migrate -> VERIFY_RESIZE', results, lambda: _act(
            dep, sid, {'migrate': None}, 'VERIFY_RESIZE'))
        _timed('confirmResize -> ACTIVE', results, lambda: _act(
            dep, sid, {'confirmResize': None}, 'ACTIVE', 204))
        assert dep.request('DELETE', '/v2.1/servers/%s'
                           % sid).status_code == 204
        dep.wait_gone(sid, timeout=120)
    return results


def two_computes():
    """The deployment: two computes, each with its own instances_path."""
    return deployment_mod.Deployment(
        'postgresql', extra_conf='[DEFAULT]\nshutdown_timeout = 0\n',
        compute_conf={
            'compute1': 'instances_path = $state_path/instances-1\n',
            'compute2': 'instances_path = $state_path/instances-2\n'})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=20)
    args = parser.parse_args()
    dep = two_computes()
    try:
        dep.start()
        results = run(dep, args.count)
    finally:
        dep.stop()
    print_table(results, 'phase (n=%d)' % args.count, 28)


if __name__ == '__main__':
    main()
