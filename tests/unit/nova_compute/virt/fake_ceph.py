"""A Ceph cluster in a dict, answering the commands rbd_disks.py runs.

`FakeCeph` is a stand-in for subprocess.run: rbd, ceph-conf,
ceph-authtool and qemu-img on an `rbd:` target are answered from
`images` (pool/name -> size in bytes); any other command (qemu-img on a
file, genisoimage...) runs for real, so it can stand in for
subprocess.run itself. `fail` makes the next command whose argv contains
a word exit with an error; `calls` records every Ceph command.
"""

import json
import re
import subprocess

KEY = 'AQCo6BJrUSe9BhAASsULuvJCPebwrOZT/WjzWQ=='
MON_HOST = '[v2:192.0.2.1:3300,v1:192.0.2.1:6789],192.0.2.2:6790'


class FakeCeph:

    def __init__(self, pools=('vms',), keyring='/dev/null'):
        self.pools = set(pools)
        self.images = {}
        self.keyring = keyring
        self.keys = {'client.openstack': KEY}
        self.calls = []
        self.fail = {}
        self._real_run = subprocess.run

    def __call__(self, argv, **kwargs):
        tool = argv[0]
        if tool not in ('rbd', 'ceph-conf', 'ceph-authtool', 'qemu-img') or \
                tool == 'qemu-img' and not any(str(a).startswith('rbd:')
                                               for a in argv):
            return self._real_run(argv, **kwargs)
        self.calls.append(list(argv))
        for word, (code, err) in list(self.fail.items()):
            if word in argv:
                del self.fail[word]
                return self._done(code, '', err)
        handler = {'rbd': self._rbd, 'ceph-conf': self._conf,
                   'ceph-authtool': self._authtool,
                   'qemu-img': self._qemu_img}[tool]
        return handler(strip_client_args(argv[1:]))

    @staticmethod
    def _done(code, out='', err=''):
        return subprocess.CompletedProcess([], code, out, err)

    def _spec(self, spec):
        pool, name = spec.split('/', 1)
        if pool not in self.pools:
            return None
        return spec

    def _rbd(self, args):
        verb, rest = args[0], [a for a in args[1:]
                               if a not in ('--format', 'json',
                                            '--no-progress')]
        if verb == 'ls':
            if rest[0] not in self.pools:
                return self._done(2, err='rbd: listing images failed: (2) '
                                         'No such file or directory')
            return self._done(0, json.dumps(sorted(
                n.split('/', 1)[1] for n in self.images
                if n.startswith(rest[0] + '/'))))
        if verb == 'create':
            size = int(rest[1].rstrip('M')) << 20
            self.images[rest[2]] = size
            return self._done(0)
        spec = self._spec(rest[0])
        if spec not in self.images:
            return self._done(2, err='rbd: error opening image: (2) No such '
                                     'file or directory')
        if verb == 'info':
            return self._done(0, json.dumps({'size': self.images[spec]}))
        if verb == 'rm':
            del self.images[spec]
            return self._done(0)
        if verb == 'rename':
            self.images[rest[1]] = self.images.pop(spec)
            return self._done(0)
        raise AssertionError('rbd %s is not faked' % verb)

    def _qemu_img(self, args):
        target = [a for a in args if a.startswith('rbd:')][0]
        spec = re.match(r'rbd:([^:]+)', target).group(1)
        if spec.split('/')[0] not in self.pools:
            return self._done(1, err="qemu-img: %s: error opening pool" %
                              target)
        if args[0] == 'convert':
            if spec in self.images:
                return self._done(1, err='qemu-img: %s: error while '
                                  'converting raw: error rbd create: File '
                                  'exists' % target)
            source = args[args.index('-O') + 2]
            info = json.loads(self._real_run(
                ['qemu-img', 'info', '--output=json', source],
                capture_output=True, text=True, check=True).stdout)
            self.images[spec] = info['virtual-size']
        elif args[0] == 'resize':
            self.images[spec] = int(args[-1])
        return self._done(0)

    def _conf(self, args):
        key = args[args.index('--show-config-value') + 1]
        values = {'mon_host': MON_HOST,
                  'keyring': '/nonexistent,' + self.keyring}
        return self._done(0, values[key] + '\n')

    def _authtool(self, args):
        name = args[args.index('-n') + 1]
        if name not in self.keys:
            return self._done(1, err='entity %s not found' % name)
        return self._done(0, self.keys[name] + '\n')

    def ceph_calls(self, verb):
        """The recorded rbd commands doing `verb`."""
        return [c for c in self.calls if c[0] == 'rbd' and verb in c]


def strip_client_args(args):
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ('--conf', '--id', '-c', '--name'):
            skip = True
        else:
            out.append(arg)
    return out
