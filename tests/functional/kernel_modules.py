"""Finds kernel modules and what they depend on in a /lib/modules/<ver> tree.

The test guest's initramfs has no modprobe data of its own, so the modules
its /init needs (disk, CD-ROM and filesystem drivers) are resolved here, on
the host, from the tree unpacked out of the kernel .deb, and written in an
order insmod can load them: every module after the modules it depends on.

Dependencies come from modules.dep when the tree has one (an installed
kernel: depmod wrote it). A kernel .deb ships no modules.dep (its postinst
runs depmod), so otherwise they come from the `depends=` field every .ko
carries in its ELF .modinfo section, which is where depmod reads them too.
Modules listed in modules.builtin are part of the kernel image and need no
file. Compressed modules (.ko.xz, .ko.zst, .ko.gz) are decompressed, since
busybox insmod loads only plain ELF files.
"""

import collections
import gzip
import lzma
import os
import shutil
import struct
import subprocess

SUFFIXES = ('.ko', '.ko.xz', '.ko.zst', '.ko.gz')

Module = collections.namedtuple('Module', 'name path')


class ModuleNotFound(Exception):
    """A module is neither in the tree nor built into the kernel."""


def module_name(path):
    """The name the kernel knows a module file by: 'nls_iso8859_1' for
    .../nls_iso8859-1.ko.xz ('-' and '_' are the same to the kernel)."""
    base = os.path.basename(path)
    for suffix in SUFFIXES:
        if base.endswith(suffix):
            base = base[:-len(suffix)]
            break
    return base.replace('-', '_')


def decompress(path):
    """The plain ELF bytes of a module file, compressed or not."""
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.xz'):
        return lzma.decompress(data)
    if path.endswith('.gz'):
        return gzip.decompress(data)
    if path.endswith('.zst'):
        return _unzstd(data)
    return data


def _unzstd(data):
    # Python has no zstd in its standard library before 3.14: use the
    # python package if it is there, else the zstd command (package zstd).
    try:
        import zstandard
    except ImportError:
        zstandard = None
    if zstandard is not None:
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if shutil.which('zstd') is None:
        raise ModuleNotFound('a .ko.zst module needs the zstd command '
                             '(package zstd) or the zstandard package')
    return subprocess.run(['zstd', '-d', '-c', '-q'], input=data,
                          capture_output=True, check=True).stdout


def modinfo(elf):
    """The .modinfo section of a module's ELF bytes as {key: [values]}."""
    if elf[:4] != b'\x7fELF':
        raise ValueError('not an ELF file')
    is64 = elf[4] == 2
    order = '<' if elf[5] == 1 else '>'
    if is64:
        shoff, = struct.unpack_from(order + 'Q', elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(order + 'HHH', elf,
                                                        0x3A)
        header = order + 'II8x8xQQ'     # name, type, (flags, addr), off, size
    else:
        shoff, = struct.unpack_from(order + 'I', elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(order + 'HHH', elf,
                                                        0x2E)
        header = order + 'II4x4xII'
    sections = [struct.unpack_from(header, elf, shoff + i * shentsize)
                for i in range(shnum)]
    names_off, names_size = sections[shstrndx][2:]
    names = elf[names_off:names_off + names_size]
    info = {}
    for name_idx, _type, offset, size in sections:
        name = names[name_idx:names.index(b'\0', name_idx)]
        if name != b'.modinfo':
            continue
        for entry in elf[offset:offset + size].split(b'\0'):
            key, sep, value = entry.decode('utf-8', 'replace').partition('=')
            if sep:
                info.setdefault(key, []).append(value)
    return info


class ModuleTree:
    """One kernel's /lib/modules/<version> directory."""

    def __init__(self, root):
        self.root = root
        self._paths = {}
        for directory, _dirs, files in os.walk(os.path.join(root, 'kernel')):
            for name in files:
                if name.endswith(SUFFIXES):
                    path = os.path.join(directory, name)
                    self._paths[module_name(path)] = path
        self._builtin = set(self._read_list('modules.builtin'))
        self._dep = self._read_modules_dep()

    def _read_list(self, name):
        try:
            with open(os.path.join(self.root, name)) as f:
                return [module_name(line.strip()) for line in f
                        if line.strip()]
        except FileNotFoundError:
            return []

    def _read_modules_dep(self):
        """{name: [names it depends on]} from modules.dep, or None."""
        try:
            with open(os.path.join(self.root, 'modules.dep')) as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return None
        deps = {}
        for line in lines:
            module, sep, rest = line.partition(':')
            if sep:
                deps[module_name(module)] = [module_name(d)
                                             for d in rest.split()]
        return deps

    def depends(self, name):
        """Names of the modules `name` needs loaded before it."""
        if self._dep is not None and name in self._dep:
            return self._dep[name]
        info = modinfo(decompress(self.path(name)))
        return [module_name(d) for value in info.get('depends', [])
                for d in value.split(',') if d]

    def path(self, name):
        try:
            return self._paths[module_name(name)]
        except KeyError:
            raise ModuleNotFound('module %s is not in %s' % (name, self.root))

    def resolve(self, names):
        """Modules to load for `names`, dependencies first, each once;
        built-in ones are left out. ModuleNotFound names a missing one."""
        ordered, done, visiting = [], set(), set()

        def visit(name, wanted_by):
            name = module_name(name)
            if name in done or name in self._builtin:
                return
            if name in visiting:
                raise ValueError('dependency loop through %s' % name)
            if name not in self._paths:
                raise ModuleNotFound('module %s%s is not in %s' % (
                    name, ' (needed by %s)' % wanted_by if wanted_by else '',
                    self.root))
            visiting.add(name)
            for dep in self.depends(name):
                visit(dep, name)
            visiting.discard(name)
            done.add(name)
            ordered.append(Module(name, self._paths[name]))

        for name in names:
            visit(name, None)
        return ordered

    def copy(self, names, dest_dir):
        """Write the modules for `names` decompressed into dest_dir as
        <name>.ko; return their file names in load order."""
        written = []
        for module in self.resolve(names):
            filename = module.name + '.ko'
            with open(os.path.join(dest_dir, filename), 'wb') as f:
                f.write(decompress(module.path))
            written.append(filename)
        return written
