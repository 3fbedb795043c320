"""cloud-init's own readers, run against our metadata service and config drive.

The functional tests prove what a guest sees with the code a guest runs:
cloud-init, as Debian packages it. tools/install.sh unpacks that package
into .venv-cloud-init (Debian's python3 with the Python packages the .deb
depends on); $NOVA_TEST_CLOUD_INIT_PYTHON names another interpreter that
can import cloudinit. Each function runs the reader in that interpreter,
in a subprocess (tests/functional/cloud_init_driver.py), so cloud-init's
imports and logging never touch the test process, and returns what it
parsed as plain JSON data.

Bytes come back as base64 text: the user data (always, '' when there is
none, which base64-decodes to b''), and any other bytes value cloud-init
returns (metadata's random_seed, injected files' contents).

Without the interpreter the calling test skips, or fails under
NOVA_TEST_REQUIRE_SERVICES=1; a reader that fails raises ReaderError with
cloud-init's log.
"""

import json
import os
import shutil
import subprocess
import tempfile

from tests import services

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PYTHON = os.environ.get(
    'NOVA_TEST_CLOUD_INIT_PYTHON',
    os.path.join(ROOT, '.venv-cloud-init', 'bin', 'python'))
DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      'cloud_init_driver.py')
# The driver's exit status when it cannot import cloudinit.
NO_CLOUD_INIT = 3
TIMEOUT = 120


class ReaderError(Exception):
    """A cloud-init reader failed; error_type is the exception it raised."""

    def __init__(self, error_type, message, log):
        super().__init__('%s: %s\n--- log ---\n%s'
                         % (error_type, message, log))
        self.error_type = error_type
        self.message = message
        self.log = log


def _run(op, **args):
    if not os.access(PYTHON, os.X_OK):
        services.unavailable('cloud-init is not installed: no %s (run '
                             'tools/install.sh)' % PYTHON)
    # -I: none of the test process's PYTHONPATH or user site-packages.
    proc = subprocess.run(
        [PYTHON, '-I', DRIVER], input=json.dumps({'op': op, 'args': args}),
        capture_output=True, text=True, timeout=TIMEOUT)
    if proc.returncode == NO_CLOUD_INIT:
        services.unavailable('%s cannot import cloudinit: %s'
                             % (PYTHON, proc.stderr.strip()))
    try:
        answer = json.loads(proc.stdout)
    except ValueError:
        raise ReaderError('DriverFailed', 'exit status %s, no answer'
                          % proc.returncode, proc.stderr) from None
    if 'error' in answer:
        raise ReaderError(answer['error']['type'], answer['error']['message'],
                          proc.stderr)
    return answer['result']


def version():
    """cloud-init's version string, e.g. '22.4.2'."""
    return _run('version')


def openstack_metadata(base_url, headers):
    """MetadataReader(base_url).read_v2() with `headers` on every request.

    `headers` are what a trusted proxy adds (X-Instance-ID, X-Tenant-ID,
    X-Instance-ID-Signature) or X-Forwarded-For. cloud-init itself sends
    none, as in a real guest behind Neutron's metadata proxy: a stand-in
    proxy in the driver adds them. read_v2 also reads the EC2 tree, from
    169.254.169.254 as always; that proxy answers it from `base_url`.
    Requests reach the service from 127.0.0.1 (so X-Forwarded-For needs
    127.0.0.1 among the trusted proxies), as ec2_metadata's do.

    Returns read_v2's dict: 'metadata' (meta_data.json plus cloud-init's
    'instance-id' and 'local-hostname' copies), 'userdata' (base64),
    'vendordata', 'vendordata2', 'networkdata' (each present only when
    served), 'ec2-metadata', 'files', 'version' (2) and 'dsmode' when
    meta sets it. Raises ReaderError, e.g. error_type 'NonReadable' when
    meta_data.json cannot be read, or when cloud-init logged a warning.
    """
    return _run('openstack_metadata', base_url=base_url, headers=headers)


def ec2_metadata(base_url, headers, api_version='latest'):
    """cloud-init's EC2 helper: get_instance_metadata and
    get_instance_userdata against `base_url`/`api_version`, `headers`
    given through their headers_cb.

    Returns {'meta_data': the meta-data tree as nested dicts (leaves are
    text, a list of lines, or parsed JSON, as cloud-init decodes them),
    'user_data': base64 text ('' when the service answers 404)}. The
    helper answers a failed read with {} and a logged warning; that
    warning raises ReaderError here instead.
    """
    return _run('ec2_metadata', base_url=base_url, headers=headers,
                api_version=api_version)


def _is_iso(path):
    # ISO 9660's primary volume descriptor: "CD001" at byte 32769.
    with open(path, 'rb') as f:
        f.seek(32769)
        return f.read(5) == b'CD001'


def _extract(image_path, directory):
    """The image's files into `directory` (no mount needed): an ISO with
    xorriso, anything else (vfat) with mtools' mcopy."""
    if _is_iso(image_path):
        tool = 'xorriso'
        argv = ['xorriso', '-osirrox', 'on', '-indev', image_path,
                '-extract', '/', directory]
    else:
        tool = 'mcopy'
        argv = ['mcopy', '-s', '-n', '-i', image_path, '::/*', directory]
    if not shutil.which(tool):
        services.unavailable('%s is not installed (run tools/install.sh)'
                             % tool)
    extract = subprocess.run(
        argv, capture_output=True, text=True, timeout=TIMEOUT,
        env=dict(os.environ, MTOOLS_SKIP_CHECK='1'))
    if extract.returncode:
        raise ReaderError('ExtractFailed', '%s cannot read %s'
                          % (tool, image_path), extract.stderr)


def config_drive(iso_path):
    """ConfigDriveReader(<the drive's files>).read_v2().

    The drive (an ISO, or a vfat image) is first probed as cloud-init's
    ConfigDrive datasource probes a device (blkid: label config-2 or
    CONFIG-2, type iso9660 or vfat); anything else raises ReaderError.
    Its files are extracted with xorriso or mcopy (no mount needed).
    Returns read_v2's dict as for openstack_metadata, 'ec2-metadata' from
    ec2/latest/meta-data.json.
    """
    with tempfile.TemporaryDirectory(prefix='config-drive-') as directory:
        try:
            _extract(iso_path, directory)
            return _run('config_drive', iso_path=os.path.abspath(iso_path),
                        directory=directory)
        finally:
            # Extracted directories keep the ISO's read-only modes, which
            # would stop the temporary directory's removal.
            for dirpath, _dirs, _files in os.walk(directory):
                os.chmod(dirpath, 0o755)


def network_config(network_data, known_macs=None):
    """cloud-init's network config (version 1) for a network_data.json.

    `known_macs` maps a MAC address to the guest's interface name; by
    default each link's MAC is eth0, eth1... in link order, as a guest
    with those NICs in that order names them (cloud-init would otherwise
    look at this host's interfaces).

    Returns {'version': 1, 'config': [{'type': 'physical', 'name',
    'mac_address', 'mtu', 'subnets': [{'type': 'static', 'address',
    'netmask', 'routes': [...], ...}]}, ..., {'type': 'nameserver',
    'address': ...}]}.
    """
    if known_macs is None:
        macs = [link['ethernet_mac_address'].lower()
                for link in network_data.get('links', [])
                if link.get('ethernet_mac_address')]
        known_macs = {mac: 'eth%d' % i for i, mac in enumerate(macs)}
    return _run('network_config', network_data=network_data,
                known_macs=known_macs)
