"""The libvirt driver's live-migration steps, on either host.

The order (nova_compute/live_migration.py drives it):
  destination  check_destination: a marker file in its instances_path
               (the source looks for it: a shared instance path), the
               address migrations to it use, its free disk
  source       check_source: the instance runs, same virt type, a
               hypervisor no newer than the destination's; block_migration
               'auto' resolved (block unless the instance path is shared);
               its disks and the paths the domain uses
  destination  pre_live_migration: a kvm guest's CPU compared with this
               host's (TCG emulates any), instance directory,
               kernel/ramdisk and base image in its own cache, empty
               overlays of the same
               size for libvirt to fill (block migration), a new config
               drive; answers how the source's paths map to its own
  source       migrate: migrateToURI3, peer to peer (the source's libvirtd
               connects to the destination's over qemu+tcp), the domain's
               XML with the destination's paths; watched through jobStats
               until done, aborted (abort) or forced (force_complete:
               post-copy when permitted, else the guest paused)
  source       post_at_source: what the guest left here goes
  destination  post_at_destination: the guest runs there, persistently
  destination  rollback_at_destination (on failure): its half goes

Steps pass one JSON-safe dict, `migrate_data`, that each extends.
The test driver has no migration: every step refuses it with
MigrationPreCheckError.
"""

import os
import shutil
import threading
import time
import uuid as uuid_lib
import xml.etree.ElementTree as ET

import libvirt
from oslo_log import log as logging

from common import exception
from common import qemu_img
from common import states
from nova_compute.virt import configdrive
from nova_compute.virt.libvirt import host as host_mod

LOG = logging.getLogger(__name__)

MARKER_PREFIX = '.live-migration-check-'
# How often a running migration's job statistics are read.
MONITOR_INTERVAL = 0.5
# A migration's completion timeout is never shorter than this.
MIN_COMPLETION_TIMEOUT = 60
MiB = 1024 * 1024
GiB = 1024 * MiB


def _flags(block_migration, post_copy):
    flags = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER |
             libvirt.VIR_MIGRATE_PERSIST_DEST |
             libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)
    if block_migration:
        # Only the instance's own layer is copied: the destination has
        # the base image in its cache.
        flags |= libvirt.VIR_MIGRATE_NON_SHARED_INC
    if post_copy:
        flags |= libvirt.VIR_MIGRATE_POSTCOPY
    return flags


def _uri_host(addr):
    return '[%s]' % addr if ':' in addr else addr


def domain_disks(xml):
    """The file disks of a domain XML: target, path, format, readonly."""
    disks = []
    for disk in ET.fromstring(xml).findall('./devices/disk'):
        source = disk.find('source')
        if disk.get('type') != 'file' or source is None:
            continue
        driver = disk.find('driver')
        disks.append({
            'target': disk.find('target').get('dev'),
            'path': source.get('file'),
            'format': driver.get('type') if driver is not None else 'raw',
            'readonly': (disk.find('readonly') is not None or
                         disk.get('device') == 'cdrom')})
    return disks


def boot_files(xml):
    """{'kernel': path, 'initrd': path} of a directly booted domain."""
    os_el = ET.fromstring(xml).find('os')
    if os_el is None:
        return {}
    return {tag: os_el.findtext(tag) for tag in ('kernel', 'initrd')
            if os_el.findtext(tag)}


def _mapped(path, path_map):
    """`path` with the longest matching prefix of path_map replaced."""
    best = None
    for src in path_map:
        if path == src or path.startswith(src.rstrip('/') + '/'):
            if best is None or len(src) > len(best):
                best = src
    if best is None:
        return path
    return path_map[best] + path[len(best):]


def destination_xml(xml, path_map):
    """The domain XML the destination runs: every file path (disks,
    serial log, kernel, initrd) moved to where the destination has it."""
    if not path_map:
        return xml
    domain = ET.fromstring(xml)
    for element in domain.iter():
        # <log file=...> is a TCP serial port's console log.
        for attr in ('file', 'path'):
            if element.tag in ('source', 'log') and element.get(attr):
                element.set(attr, _mapped(element.get(attr), path_map))
    os_el = domain.find('os')
    if os_el is not None:
        for tag in ('kernel', 'initrd'):
            found = os_el.find(tag)
            if found is not None and found.text:
                found.text = _mapped(found.text, path_map)
    return ET.tostring(domain, encoding='unicode')


def guest_cpu(xml):
    """The <cpu> of a running kvm domain's XML (host-model expanded to
    what the guest got), or None: a TCG guest's CPU is emulated and runs
    anywhere."""
    domain = ET.fromstring(xml)
    cpu = domain.find('cpu')
    if domain.get('type') != 'kvm' or cpu is None or \
            cpu.find('model') is None:
        return None
    return ET.tostring(cpu, encoding='unicode')


def progress(stats):
    """Percent of the data copied, from a jobStats dict (0 when unknown)."""
    total = stats.get('data_total') or 0
    if not total:
        return 0
    remaining = stats.get('data_remaining') or 0
    return max(0, min(100, 100 - remaining * 100 // total))


class _Job:
    """A migration running on this (source) host."""

    def __init__(self, dom, flags):
        self.dom = dom
        self.flags = flags
        self.aborted = None     # why, once abort was asked
        self.post_copy = False
        self.paused = False
        self.stats = {}


class LiveMigration:
    """The live-migration steps of one LibvirtDriver."""

    def __init__(self, driver):
        self._driver = driver
        self._conf = driver._conf
        self._jobs = {}
        self._lock = threading.Lock()

    # -- helpers --------------------------------------------------------------

    @property
    def _host(self):
        host = self._driver.host
        if host.is_test:
            raise exception.MigrationPreCheckError(
                reason='the libvirt test driver (%s) cannot live-migrate '
                       'instances' % host.configured_uri)
        return host

    def _opts(self):
        return self._conf.libvirt

    def inbound_addr(self):
        return self._opts().live_migration_inbound_addr or \
            self._driver.host.nodename

    def dest_uri(self, addr):
        """The libvirt URI of the destination, from the source's side."""
        opts = self._opts()
        if opts.live_migration_uri:
            return opts.live_migration_uri % addr
        return 'qemu+%s://%s/system' % (opts.live_migration_scheme,
                                        _uri_host(addr))

    def _shared_block(self):
        return self._opts().images_type == 'rbd'

    # -- checks ---------------------------------------------------------------

    def check_destination(self, instance, block_migration='auto'):
        """On the destination: what the source needs to decide."""
        host = self._host
        if host.lookup(instance['uuid']) is not None:
            raise exception.MigrationPreCheckError(
                reason='instance %s already has a domain on %s'
                       % (instance['uuid'], host.nodename))
        path = self._conf.instances_path
        os.makedirs(path, exist_ok=True)
        marker = MARKER_PREFIX + uuid_lib.uuid4().hex
        with open(os.path.join(path, marker), 'w'):
            pass
        return {
            'block_migration': block_migration,
            'dst_host': host.nodename,
            'dst_inbound_addr': self.inbound_addr(),
            'dst_virt_type': self._opts().virt_type,
            'dst_hypervisor_version': host.hypervisor_version(),
            'dst_images_type': self._opts().images_type,
            'shared_marker': marker,
            'disk_available_mb': shutil.disk_usage(path).free // MiB,
        }

    def cleanup_destination_check(self, data):
        marker = (data or {}).get('shared_marker') or ''
        if marker.startswith(MARKER_PREFIX) and os.sep not in marker:
            try:
                os.unlink(os.path.join(self._conf.instances_path, marker))
            except FileNotFoundError:
                pass

    def check_source(self, instance, data):
        """On the source: the destination's answer checked against the
        instance; migrate_data with block_migration resolved."""
        host = self._host
        uuid = instance['uuid']
        dom = self._driver._domain(instance)
        with host.errors('Reading domain of %s' % uuid):
            if not dom.isActive():
                raise exception.MigrationPreCheckError(
                    reason='instance %s is not running' % uuid)
            xml = dom.XMLDesc(0)
        if data.get('dst_virt_type') != self._opts().virt_type:
            raise exception.MigrationPreCheckError(
                reason='virt_type %s on the destination, %s here' % (
                    data.get('dst_virt_type'), self._opts().virt_type))
        if (data.get('dst_hypervisor_version') or 0) < \
                host.hypervisor_version():
            raise exception.MigrationPreCheckError(
                reason='the destination runs an older hypervisor')
        if instance.get('block_device_mappings') and any(
                bdm.get('volume_id') for bdm in
                instance['block_device_mappings']):
            raise exception.MigrationPreCheckError(
                reason='instances with volumes cannot be live-migrated '
                       'yet')
        marker = data.get('shared_marker') or ''
        shared_path = bool(marker) and os.path.exists(
            os.path.join(self._conf.instances_path, marker))
        shared_block = self._shared_block() and \
            data.get('dst_images_type') == 'rbd'
        shared = shared_path or shared_block
        wanted = data.get('block_migration', 'auto')
        if wanted in (None, 'auto'):
            block = not shared
        else:
            block = bool(wanted)
            if block and shared:
                raise exception.MigrationPreCheckError(
                    reason='cannot block migrate instance %s with shared '
                           'storage' % uuid)
            if not block and not shared:
                raise exception.MigrationPreCheckError(
                    reason='live migration without block migration needs '
                           'shared storage (the instance path, or RBD '
                           'disks) between the two hosts')
        disks = domain_disks(xml)
        for disk in disks:
            detail = qemu_img.info(disk['path'])
            disk['virtual_size'] = detail.get('virtual-size') or 0
            disk['backing'] = detail.get('backing-filename')
        if block:
            need_mb = sum(d['virtual_size'] for d in disks
                          if not d['readonly']) // MiB
            if need_mb > (data.get('disk_available_mb') or 0):
                raise exception.MigrationPreCheckError(
                    reason='the destination has %s MB of disk free, the '
                           'instance needs up to %s MB' % (
                               data.get('disk_available_mb'), need_mb))
        return dict(data, block_migration=block,
                    guest_cpu=guest_cpu(xml),
                    is_shared_instance_path=shared_path,
                    is_shared_block_storage=shared_block,
                    src_host=host.nodename,
                    src_instance_dir=self._driver._instance_dir(uuid),
                    src_boot_files=boot_files(xml), disks=disks)

    # -- destination ----------------------------------------------------------

    def pre_live_migration(self, instance, image, network_info,
                           migrate_data):
        """On the destination: what the incoming domain needs; returns
        migrate_data with `dst_paths` (source path -> this host's)."""
        host = self._host  # refuses the test driver
        driver = self._driver
        uuid = instance['uuid']
        inst_dir = driver._instance_dir(uuid)
        data = dict(migrate_data)
        self._check_cpu(host, data.get('guest_cpu'))
        if data.get('is_shared_instance_path'):
            data['dst_paths'] = {}
            return data
        os.makedirs(inst_dir, exist_ok=True)
        paths = {data['src_instance_dir']: inst_dir}
        kernel, ramdisk = driver._boot_files(image or {})
        src_boot = data.get('src_boot_files') or {}
        for name, mine in (('kernel', kernel), ('initrd', ramdisk)):
            if src_boot.get(name):
                if not mine:
                    raise exception.MigrationPreCheckError(
                        reason='the image of %s gives no %s' % (uuid, name))
                paths[src_boot[name]] = mine
        for disk in data.get('disks') or ():
            dest = _mapped(disk['path'], paths)
            if not dest.startswith(inst_dir + os.sep):
                continue  # not the instance's own file
            if os.path.basename(dest) == 'disk.config':
                if configdrive.required(instance, self._conf):
                    configdrive.build(instance, network_info or [], inst_dir,
                                      self._conf)
                continue
            if data.get('block_migration') and not disk['readonly']:
                self._blank_like(image, disk, dest)
        # The serial log QEMU appends to.
        open(os.path.join(inst_dir, 'console.log'), 'a').close()
        data['dst_paths'] = paths
        return data

    @staticmethod
    def _check_cpu(host, cpu_xml):
        """The guest's CPU (a kvm guest's; TCG emulates any) must run on
        this host's."""
        if not cpu_xml:
            return
        answer = host.call('Comparing the guest CPU',
                           lambda conn: conn.compareCPU(cpu_xml, 0))
        if answer == libvirt.VIR_CPU_COMPARE_INCOMPATIBLE:
            raise exception.MigrationPreCheckError(
                reason='the CPU of %s cannot run the guest\'s CPU'
                       % host.nodename)

    def _blank_like(self, image, disk, dest):
        """An empty disk at `dest` of the source disk's size, over this
        host's copy of its base image when it has one."""
        args = ['create', '-q', '-f', disk['format']]
        if disk.get('backing'):
            base, fmt, _size = self._driver._image_cache.fetch_disk(image)
            args += ['-F', fmt, '-b', base]
        args += [dest, str(disk['virtual_size'])]
        try:
            qemu_img.qemu_img(*args)
        except qemu_img.QemuImgError as err:
            raise exception.HypervisorError(
                reason='cannot create %s: %s' % (dest, err))

    def post_at_destination(self, instance, migrate_data):
        """On the destination once libvirt finished: the guest runs here
        (a guest force-paused at the end resumes); its power state and
        the completed job's statistics."""
        host = self._host
        dom = self._driver._domain(instance)
        stats = {}
        with host.errors('Finishing migration of %s' % instance['uuid']):
            try:
                stats = dom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
            except libvirt.libvirtError:
                LOG.info('No completed job statistics for %s',
                         instance['uuid'])
            if dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED and \
                    instance.get('vm_state') != states.PAUSED:
                dom.resume()
        return {'power_state': self._driver.get_power_state(instance),
                'downtime_ms': stats.get('downtime'),
                'time_elapsed_ms': stats.get('time_elapsed'),
                'data_total': stats.get('data_total'),
                'data_processed': stats.get('data_processed')}

    def rollback_at_destination(self, instance, migrate_data):
        """On the destination after a failure: its half of the domain
        and, unless shared with the source, its files."""
        self._host
        uuid = instance['uuid']
        dom = self._driver.host.lookup(uuid)
        if dom is not None:
            self._driver._stop_hard(dom)
            self._driver._undefine(dom)
        if not (migrate_data or {}).get('is_shared_instance_path'):
            shutil.rmtree(self._driver._instance_dir(uuid),
                          ignore_errors=True)

    # -- source ---------------------------------------------------------------

    def migrate(self, instance, migrate_data, on_progress=None):
        """Move the running domain to the destination; returns the last
        job statistics. LiveMigrationAborted when aborted (or past its
        completion timeout with timeout_action abort), HypervisorError
        when libvirt fails it; either way the guest still runs here."""
        host = self._host
        uuid = instance['uuid']
        dom = self._driver._domain(instance)
        opts = self._opts()
        block = bool(migrate_data.get('block_migration'))
        flags = _flags(block, opts.live_migration_permit_post_copy)
        addr = migrate_data['dst_inbound_addr']
        with host.errors('Reading domain of %s' % uuid):
            xml = destination_xml(
                dom.XMLDesc(libvirt.VIR_DOMAIN_XML_MIGRATABLE),
                migrate_data.get('dst_paths') or {})
        params = {libvirt.VIR_MIGRATE_PARAM_URI: 'tcp://%s' % _uri_host(addr),
                  libvirt.VIR_MIGRATE_PARAM_DEST_XML: xml,
                  libvirt.VIR_MIGRATE_PARAM_PERSIST_XML: xml}
        if opts.live_migration_bandwidth:
            params[libvirt.VIR_MIGRATE_PARAM_BANDWIDTH] = \
                opts.live_migration_bandwidth
        if block:
            params[libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS] = [
                d['target'] for d in migrate_data.get('disks') or ()
                if not d['readonly']]
        job = _Job(dom, flags)
        with self._lock:
            if uuid in self._jobs:
                raise exception.InvalidMigrationState(
                    migration_id='-', instance_uuid=uuid, state='running',
                    method='start another migration')
            self._jobs[uuid] = job
        failure = []

        def run():
            try:
                dom.migrateToURI3(self.dest_uri(addr), params, flags)
            except libvirt.libvirtError as err:
                failure.append(err)
        worker = threading.Thread(target=run, name='migrate-%s' % uuid)
        LOG.info('Live-migrating %s to %s (%s)', uuid, addr,
                 'block' if block else 'shared storage')
        try:
            worker.start()
            self._monitor(job, worker, self._timeout(dom, migrate_data),
                          on_progress)
        finally:
            with self._lock:
                self._jobs.pop(uuid, None)
        if failure and host.lookup(uuid) is None:
            # UNDEFINE_SOURCE ran: the guest is on the destination,
            # whatever the error says (a rollback would destroy it).
            LOG.warning('Live migration of %s reported %s, but its domain '
                        'left this host: it migrated', uuid,
                        failure[0].get_error_message())
            failure = []
        if failure:
            if job.paused:
                self._resume(dom)
            if job.aborted:
                raise exception.LiveMigrationAborted(
                    instance_uuid=uuid, reason=job.aborted)
            raise host_mod.hypervisor_error(failure[0],
                                            'Live migration of %s' % uuid)
        return dict(job.stats, post_copy=job.post_copy, paused=job.paused)

    def _timeout(self, dom, migrate_data):
        """Seconds the migration may take: per GiB of memory, and of the
        disks a block migration copies."""
        per_gib = self._opts().live_migration_completion_timeout
        if not per_gib:
            return None
        try:
            size = dom.info()[1] * 1024
        except libvirt.libvirtError:
            size = GiB
        if migrate_data.get('block_migration'):
            size += sum(d.get('virtual_size') or 0
                        for d in migrate_data.get('disks') or ()
                        if not d['readonly'])
        return max(MIN_COMPLETION_TIMEOUT, per_gib * size / GiB)

    def _monitor(self, job, worker, timeout, on_progress):
        start = time.monotonic()
        while worker.is_alive():
            worker.join(MONITOR_INTERVAL)
            if not worker.is_alive():
                break
            try:
                stats = job.dom.jobStats()
            except libvirt.libvirtError:
                continue  # the domain left, or the job just ended
            if stats.get('type', libvirt.VIR_DOMAIN_JOB_NONE) != \
                    libvirt.VIR_DOMAIN_JOB_NONE:
                job.stats = stats
                if on_progress is not None:
                    try:
                        on_progress(progress(stats), stats)
                    except Exception:
                        LOG.exception('Reporting migration progress failed')
            if timeout and time.monotonic() - start > timeout and \
                    not (job.aborted or job.post_copy or job.paused):
                LOG.warning('Live migration of %s ran past %ss',
                            job.dom.UUIDString(), int(timeout))
                if self._opts().live_migration_timeout_action == 'abort':
                    self._abort(job, 'it ran past its completion timeout '
                                     '(%ss)' % int(timeout))
                else:
                    self._force(job)

    def _job(self, instance, method):
        with self._lock:
            job = self._jobs.get(instance['uuid'])
        if job is None:
            raise exception.InvalidMigrationState(
                migration_id='-', instance_uuid=instance['uuid'],
                state='not running', method=method)
        return job

    def abort(self, instance):
        """Stop the migration under way; the guest stays here."""
        job = self._job(instance, 'abort')
        if job.post_copy:
            raise exception.InvalidMigrationState(
                migration_id='-', instance_uuid=instance['uuid'],
                state='post-copy', method='abort')
        self._abort(job, 'aborted on request')

    def _abort(self, job, why):
        job.aborted = why
        try:
            job.dom.abortJob()
        except libvirt.libvirtError as err:
            raise host_mod.hypervisor_error(err, 'Aborting the migration')

    def force_complete(self, instance):
        """Make the migration under way finish: post-copy when permitted,
        else pause the guest until the copy catches up."""
        self._force(self._job(instance, 'force complete'))

    def _force(self, job):
        try:
            if job.flags & libvirt.VIR_MIGRATE_POSTCOPY:
                LOG.info('Switching the migration of %s to post-copy',
                         job.dom.UUIDString())
                job.dom.migrateStartPostCopy(0)
                job.post_copy = True
            elif not job.paused:
                LOG.info('Pausing %s until its migration completes',
                         job.dom.UUIDString())
                job.dom.suspend()
                job.paused = True
        except libvirt.libvirtError as err:
            raise host_mod.hypervisor_error(
                err, 'Forcing the migration to complete')

    @staticmethod
    def _resume(dom):
        try:
            if dom.isActive() and \
                    dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
                dom.resume()
        except libvirt.libvirtError:
            LOG.exception('Resuming the guest after a failed migration')

    def post_at_source(self, instance, migrate_data):
        """On the source after success: whatever the guest left here."""
        self._host
        uuid = instance['uuid']
        dom = self._driver.host.lookup(uuid)
        if dom is not None:
            # UNDEFINE_SOURCE removed it; a leftover is stopped only.
            with self._driver.host.errors('Cleaning up %s' % uuid):
                if dom.isActive():
                    raise exception.HypervisorError(
                        reason='domain of %s still runs on the source'
                               % uuid)
            self._driver._undefine(dom)
        if not migrate_data.get('is_shared_instance_path'):
            shutil.rmtree(self._driver._instance_dir(uuid),
                          ignore_errors=True)

    def abort_unwatched(self, instance, timeout=30):
        """Abort a migration libvirt still runs for the instance with no
        one here watching it (nova-compute restarted: a peer-to-peer
        migration goes on in libvirtd without its client). Whether the
        guest is still here afterwards."""
        host = self._host
        dom = host.lookup(instance['uuid'])
        if dom is None:
            return False
        deadline = time.monotonic() + timeout
        with host.errors('Aborting the migration of %s'
                         % instance['uuid']):
            while dom.jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE:
                try:
                    dom.abortJob()
                except libvirt.libvirtError:
                    pass  # ending by itself, or past the point of abort
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        return host.lookup(instance['uuid']) is not None and \
            self._driver.get_power_state(instance) in (
                states.RUNNING, states.PAUSED_POWER)

    def running(self, instance):
        """Whether a migration of the instance runs here."""
        with self._lock:
            return instance['uuid'] in self._jobs
