"""What reading a tooz group of N members costs (Redis backend).

Why the 'redis' service-group driver does not use tooz: tooz's Redis
get_members() reads every member's name (HKEYS) and every member's beat
key (MGET), so "who is alive" costs O(N) per question, and a member whose
beat key expired is removed from the group, so "down" and "never joined"
look alike and no last-seen stamp is left for os-services. This prints
the read cost next to the sorted-set query the driver uses instead.

    .venv/bin/python bench/tooz_members.py [--members 10000]
"""

import argparse
import time
import uuid

import redis
from tooz import coordination


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--members', type=int, default=10000)
    parser.add_argument('--url', default='redis://127.0.0.1:6379')
    parser.add_argument('--reads', type=int, default=20)
    args = parser.parse_args()
    prefix = 'bench-tooz-%s' % uuid.uuid4().hex[:8]
    group = prefix.encode()
    url = '%s?namespace=%s&timeout=3600' % (args.url, prefix)
    reader = coordination.get_coordinator(url, b'reader')
    reader.start()
    reader.create_group(group).get()
    start = time.perf_counter()
    for i in range(args.members):
        # One coordinator per member, as each nova-compute would hold.
        member = coordination.get_coordinator(url, b'host-%d' % i)
        member.start()
        member.join_group(group).get()
        member.heartbeat()
        # Leave its beat key alive: no stop() (that would leave the group).
        member._client.connection_pool.disconnect()
    joined = time.perf_counter() - start
    times = []
    for _ in range(args.reads):
        t0 = time.perf_counter()
        members = reader.get_members(group).get()
        times.append(time.perf_counter() - t0)
    times.sort()
    r = redis.Redis.from_url(args.url)
    zkey = prefix + ':zset'
    now = time.time()
    r.zadd(zkey, {'host-%d' % i: now - (i % 7) for i in range(args.members)})
    ztimes = []
    for _ in range(args.reads):
        t0 = time.perf_counter()
        r.zrangebyscore(zkey, '-inf', now - 60)
        ztimes.append(time.perf_counter() - t0)
    ztimes.sort()
    print('members=%d (joined in %.1f s), tooz get_members p50 %.1f ms '
          '(%d alive); sorted set "down" query p50 %.3f ms'
          % (args.members, joined, times[len(times) // 2] * 1e3,
             len(members), ztimes[len(ztimes) // 2] * 1e3))
    for key in r.scan_iter(prefix + '*'):
        r.delete(key)
    reader.stop()


if __name__ == '__main__':
    main()
