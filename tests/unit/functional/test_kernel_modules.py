"""The test guest's module resolver, on small fake /lib/modules trees."""

import gzip
import lzma
import os
import shutil
import struct
import subprocess

import pytest

from tests.functional import kernel_modules


def _elf(modinfo, is64=True, little=True, extra_section=b'.text'):
    """A minimal relocatable ELF file whose only content is a .modinfo
    section holding `modinfo` (key=value strings) and one other section."""
    order = '<' if little else '>'
    info = b''.join(e.encode() + b'\0' for e in modinfo)
    names = b'\0' + extra_section + b'\0.modinfo\0.shstrtab\0'
    name_of = {n: names.index(n + b'\0') for n in
               (extra_section, b'.modinfo', b'.shstrtab')}
    ehsize = 64 if is64 else 52
    body = b'\x90' * 8 + info + names
    text_off, info_off = ehsize, ehsize + 8
    names_off = info_off + len(info)
    shoff = ehsize + len(body)
    if is64:
        shfmt = order + 'IIQQQQIIQQ'
        ident_class, shentsize = 2, 64
        header = struct.pack(order + 'HHIQQQIHHHHHH', 1, 62, 1, 0, 0, shoff,
                             0, ehsize, 0, 0, shentsize, 4, 3)
    else:
        shfmt = order + 'IIIIIIIIII'
        ident_class, shentsize = 1, 40
        header = struct.pack(order + 'HHIIIIIHHHHHH', 1, 3, 1, 0, 0, shoff,
                             0, ehsize, 0, 0, shentsize, 4, 3)
    ident = b'\x7fELF' + bytes([ident_class, 1 if little else 2, 1]) + \
        b'\0' * 9
    sections = [
        struct.pack(shfmt, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
        struct.pack(shfmt, name_of[extra_section], 1, 6, 0, text_off, 8,
                    0, 0, 1, 0),
        struct.pack(shfmt, name_of[b'.modinfo'], 1, 2, 0, info_off,
                    len(info), 0, 0, 1, 0),
        struct.pack(shfmt, name_of[b'.shstrtab'], 3, 0, 0, names_off,
                    len(names), 0, 0, 1, 0),
    ]
    return ident + header + body + b''.join(sections)


def _module(root, relpath, depends=(), compress=None, data=None):
    """Write kernel/<relpath> (a .ko) with a `depends=` list."""
    if data is None:
        data = _elf(['license=GPL', 'depends=' + ','.join(depends),
                     'name=' + kernel_modules.module_name(relpath)])
    path = os.path.join(root, 'kernel', relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if compress == 'xz':
        data, path = lzma.compress(data), path + '.xz'
    elif compress == 'gz':
        data, path = gzip.compress(data), path + '.gz'
    elif compress == 'zst':
        data = subprocess.run(['zstd', '-q', '-c'], input=data,
                              capture_output=True, check=True).stdout
        path += '.zst'
    with open(path, 'wb') as f:
        f.write(data)
    return path


@pytest.fixture
def tree(tmp_path):
    """The CD-ROM chain of a Debian kernel, as a .deb ships it: no
    modules.dep, dependencies only in each module's .modinfo."""
    root = str(tmp_path / '6.1.0-1-amd64')
    _module(root, 'drivers/scsi/scsi_common.ko')
    _module(root, 'drivers/scsi/scsi_mod.ko', ['scsi_common'])
    _module(root, 'drivers/cdrom/cdrom.ko')
    _module(root, 'drivers/scsi/sr_mod.ko',
            ['scsi_mod', 'cdrom', 'scsi_common'])
    _module(root, 'drivers/ata/libata.ko', ['scsi_mod', 'scsi_common'])
    _module(root, 'drivers/ata/ata_piix.ko', ['libata'])
    _module(root, 'fs/isofs/isofs.ko', ['cdrom'])
    _module(root, 'fs/nls/nls_iso8859-1.ko')
    with open(os.path.join(root, 'modules.builtin'), 'w') as f:
        f.write('kernel/fs/nls/nls_base.ko\n')
    return root


def _names(modules):
    return [m.name for m in modules]


def test_dependencies_come_first_and_each_module_once(tree):
    modules = kernel_modules.ModuleTree(tree).resolve(
        ['sr_mod', 'ata_piix', 'isofs'])
    assert _names(modules) == ['scsi_common', 'scsi_mod', 'cdrom', 'sr_mod',
                               'libata', 'ata_piix', 'isofs']
    assert modules[3].path == os.path.join(tree, 'kernel/drivers/scsi/'
                                                 'sr_mod.ko')


def test_a_dash_and_an_underscore_name_the_same_module(tree):
    t = kernel_modules.ModuleTree(tree)
    assert _names(t.resolve(['nls_iso8859_1'])) == ['nls_iso8859_1']
    assert _names(t.resolve(['nls_iso8859-1'])) == ['nls_iso8859_1']


def test_builtin_modules_need_no_file(tree):
    _module(tree, 'fs/nls/nls_cp437.ko', ['nls_base'])
    assert _names(kernel_modules.ModuleTree(tree).resolve(
        ['nls_cp437', 'nls_base'])) == ['nls_cp437']


def test_a_missing_dependency_names_who_needs_it(tree):
    _module(tree, 'fs/fat/vfat.ko', ['fat'])
    with pytest.raises(kernel_modules.ModuleNotFound) as err:
        kernel_modules.ModuleTree(tree).resolve(['vfat'])
    assert 'module fat (needed by vfat)' in str(err.value)
    with pytest.raises(kernel_modules.ModuleNotFound) as err:
        kernel_modules.ModuleTree(tree).resolve(['nosuch'])
    assert 'module nosuch is not in' in str(err.value)


def test_a_dependency_loop_is_refused(tree):
    _module(tree, 'a.ko', ['b'])
    _module(tree, 'b.ko', ['a'])
    with pytest.raises(ValueError, match='dependency loop'):
        kernel_modules.ModuleTree(tree).resolve(['a'])


def test_modules_dep_wins_over_modinfo(tree):
    # depmod's answer is the one modprobe would use: a module whose file
    # is not even ELF is resolved from modules.dep alone.
    _module(tree, 'x/odd.ko', data=b'not an ELF file')
    with open(os.path.join(tree, 'modules.dep'), 'w') as f:
        f.write('kernel/x/odd.ko: kernel/drivers/cdrom/cdrom.ko\n'
                'kernel/drivers/cdrom/cdrom.ko:\n')
    assert _names(kernel_modules.ModuleTree(tree).resolve(['odd'])) == [
        'cdrom', 'odd']


@pytest.mark.parametrize('compress', [
    'xz', 'gz',
    pytest.param('zst', marks=pytest.mark.skipif(
        shutil.which('zstd') is None, reason='no zstd command'))])
def test_compressed_modules_are_read_and_copied_plain(tree, tmp_path,
                                                      compress):
    _module(tree, 'fs/fat/fat.ko', compress=compress)
    _module(tree, 'fs/fat/vfat.ko', ['fat'], compress=compress)
    dest = tmp_path / 'initramfs'
    dest.mkdir()
    written = kernel_modules.ModuleTree(tree).copy(['vfat'], str(dest))
    assert written == ['fat.ko', 'vfat.ko']
    data = (dest / 'vfat.ko').read_bytes()
    assert data[:4] == b'\x7fELF'
    assert kernel_modules.modinfo(data)['depends'] == ['fat']


@pytest.mark.parametrize('is64,little', [(True, True), (False, False)])
def test_modinfo_reads_both_elf_classes_and_byte_orders(is64, little):
    info = kernel_modules.modinfo(_elf(
        ['alias=fs-iso9660', 'alias=iso9660', 'depends=cdrom', 'junk'],
        is64=is64, little=little))
    assert info == {'alias': ['fs-iso9660', 'iso9660'], 'depends': ['cdrom']}


def test_modinfo_refuses_what_is_not_elf():
    with pytest.raises(ValueError):
        kernel_modules.modinfo(b'MZ\x90\x00')
