"""os-migrateLive benchmark on the libvirt test driver: nova-api,
-conductor, -scheduler and two nova-compute over RabbitMQ and
PostgreSQL. The test driver refuses every live migration in its check,
so what is timed is the API and conductor's part with the computes'
check round trip (the real move is bench/live_migration.py's):

- boot (the baseline, same run): API POST -> ACTIVE;
- os-migrateLive at 2.1 (the API waits for the checks): POST -> its 400;
- os-migrateLive at 2.34 (202 at once): POST -> the migration 'error'
  and the server ACTIVE again.

    python bench/live_migration_api.py [--count 20]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.phases import print_table  # noqa: E402
from bench.phases import timed  # noqa: E402
from bench.resize import two_computes  # noqa: E402

V234 = {'OpenStack-API-Version': 'compute 2.34'}


def _refused_at_once(dep, sid):
    resp = dep.action(sid, {'os-migrateLive': {
        'host': None, 'block_migration': False, 'disk_over_commit': False}})
    assert resp.status_code == 400, resp.text


def _refused_later(dep, sid, seen):
    resp = dep.action(sid, {'os-migrateLive': {
        'host': None, 'block_migration': 'auto'}}, headers=dict(V234))
    assert resp.status_code == 202, resp.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = dep.request('GET', '/v2.1/os-migrations?instance_uuid=%s'
                            % sid).json()['migrations']
        if len(found) > seen and all(m['status'] == 'error'
                                     for m in found):
            return dep.settle(sid, 'ACTIVE')
        time.sleep(0.01)
    raise AssertionError('no refusal recorded for %s' % sid)


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
        sid = timed('boot (baseline)', results, boot)['id']
        timed('os-migrateLive 2.1 -> 400', results,
              lambda: _refused_at_once(dep, sid))
        timed('os-migrateLive 2.34 -> error', results,
              lambda: _refused_later(dep, sid, 1))
        assert dep.request('DELETE', '/v2.1/servers/%s'
                           % sid).status_code == 204
        dep.wait_gone(sid, timeout=120)
    return results


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
    print_table(results, 'phase (n=%d)' % args.count, 30)


if __name__ == '__main__':
    main()
