"""What a config drive adds to a spawn: milliseconds per build, per format.

    python bench/config_drive.py [--builds 50]

Builds the drive of one instance (a key, 1 KiB of user data, one fixed
IP) again and again into one instance directory, as spawn does, for each
way of writing it: genisoimage, xorriso's mkisofs emulation, vfat. Prints
p50 and mean per build, and the part of it spent making the trees
(common.instance_metadata), which every format shares.
"""

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from common import instance_metadata  # noqa: E402
from common.conf import CONF  # noqa: E402
from nova_compute.virt import configdrive  # noqa: E402

INSTANCE = {
    'id': 1, 'uuid': str(uuid.uuid4()), 'display_name': 'bench',
    'hostname': 'bench', 'project_id': 'p1', 'availability_zone': 'nova',
    'key_name': 'k', 'key_data': 'ssh-ed25519 AAAAC3Nza bench@host',
    'user_data': base64.b64encode(b'#cloud-config\n' + b'x' * 1024).decode(),
    'metadata': {'role': 'bench'}, 'flavor': {'name': 'm1.tiny'},
    'config_drive': True}
NETWORK = [{'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05'}]
WAYS = (('iso9660 (genisoimage)', 'iso9660', 'genisoimage'),
        ('iso9660 (xorriso)', 'iso9660', 'no-such-mkisofs'),
        ('vfat', 'vfat', 'genisoimage'))


def timed(func, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.mean(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--builds', type=int, default=50)
    args = parser.parse_args()
    CONF([], project='nova')
    trees = timed(lambda: instance_metadata.InstanceMetadata(
        INSTANCE, NETWORK).config_drive_files(), args.builds)
    print('%-24s p50 %6.2f ms  mean %6.2f ms' % (('trees only',) + trees))
    with tempfile.TemporaryDirectory() as inst_dir:
        for name, fmt, mkisofs in WAYS:
            CONF.set_override('config_drive_format', fmt)
            CONF.set_override('mkisofs_cmd', mkisofs)
            result = timed(lambda: configdrive.build(INSTANCE, NETWORK,
                                                     inst_dir),
                           args.builds)
            print('%-24s p50 %6.2f ms  mean %6.2f ms' % ((name,) + result))


if __name__ == '__main__':
    main()
