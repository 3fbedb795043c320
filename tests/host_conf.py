"""CONF as one of several hosts in one process sees it: its own
instances_path and [libvirt] options over the global ones (tests and
benchmarks that drive two libvirt drivers side by side)."""

from common.conf import CONF


class HostConf:

    def __init__(self, instances_path, **libvirt_opts):
        self.instances_path = instances_path
        self.libvirt = _Group(CONF.libvirt, libvirt_opts)

    def __getattr__(self, name):
        return getattr(CONF, name)


class _Group:

    def __init__(self, group, values):
        self._group = group
        self._values = values

    def __getattr__(self, name):
        if name in self._values:
            return self._values[name]
        return getattr(self._group, name)
