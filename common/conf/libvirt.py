"""[libvirt]: how nova-compute reaches its hypervisor."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('connection_uri', default='test:///',
               help='libvirt URI. "test:///" (the default) simulates this '
                    'host with libvirt\'s test driver, sized by the test_node_* '
                    'options; "test:///ABS/PATH/node.xml" uses your own node '
                    'file; empty picks the URI for virt_type '
                    '(qemu:///system).'),
    cfg.StrOpt('virt_type', default='kvm', choices=['kvm', 'qemu'],
               help='Domain type on real hosts: kvm, or qemu (TCG emulation) '
                    'where KVM is unavailable.'),
    cfg.IntOpt('test_node_vcpus', default=0, min=0,
               help='CPUs of the simulated host (test:/// only); 0 uses this '
                    'machine\'s count.'),
    cfg.IntOpt('test_node_memory_mb', default=0, min=0,
               help='RAM of the simulated host in MB (test:/// only); 0 uses '
                    'this machine\'s.'),
    cfg.IntOpt('test_node_local_gb', default=0, min=0,
               help='Disk of the simulated host in GB (test:/// only); 0 uses '
                    'the size of the filesystem holding instances_path.'),
    cfg.BoolOpt('test_node_fetch_images', default=False,
                help='Whether the simulated host (test:/// only) fetches '
                     'each image into its cache as a real host would, so '
                     'tests exercise image transfer without booting '
                     'guests.'),
    cfg.IntOpt('wait_running_timeout', default=60, min=1,
               help='Seconds to wait for a started domain to report running.'),
    cfg.StrOpt('images_type', default='qcow2',
               choices=[('qcow2', 'files under instances_path, local to '
                                  'this host'),
                        ('rbd', 'RBD images in Ceph, shared by every '
                                'host of the cluster')],
               help='Where the root and ephemeral disks of image-backed '
                    'servers live: qcow2 files under instances_path, '
                    'overlays of the cached image; or rbd, RBD images '
                    '<images_rbd_pool>/<uuid>_disk and <uuid>_disk.local '
                    'in Ceph, which an evacuation to another host '
                    're-uses and a delete removes.'),
    cfg.StrOpt('images_rbd_pool', default='rbd',
               help='The Ceph pool of the disks when images_type = rbd.'),
    cfg.StrOpt('images_rbd_ceph_conf', default='',
               help='The ceph.conf naming the cluster of the disks when '
                    'images_type = rbd; empty: Ceph\'s default '
                    '(/etc/ceph/ceph.conf).'),
    cfg.StrOpt('rbd_user',
               help='The ceph client (without "client.") guests open RBD '
                    'disks as: volumes (wins over the user Cinder names) '
                    'and, with images_type = rbd, root and ephemeral disks '
                    '(unset: Ceph\'s default, admin), whose key is read '
                    'from the keyring images_rbd_ceph_conf names.'),
    cfg.StrOpt('rbd_secret_uuid',
               help='The libvirt secret holding rbd_user\'s key; wins over '
                    'the one Cinder names. With images_type = rbd, '
                    'nova-compute defines it on a real host when a guest '
                    'first needs it.'),
    # Live migration (nova_compute/virt/libvirt/live_migration.py).
    cfg.StrOpt('live_migration_scheme', default='tcp',
               choices=['tcp', 'ssh', 'tls'],
               help='Transport of the libvirt connection the source host\'s '
                    'libvirtd opens to the destination\'s for a '
                    'peer-to-peer live migration: qemu+SCHEME://ADDR/system, '
                    'ADDR being the destination\'s '
                    'live_migration_inbound_addr, else its host name.'),
    cfg.StrOpt('live_migration_uri',
               help='The whole destination libvirt URI, "%s" standing for '
                    'the destination (its live_migration_inbound_addr, '
                    'else its host name); wins over live_migration_scheme.'),
    cfg.StrOpt('live_migration_inbound_addr',
               help='This host\'s address that live migrations to it use, '
                    'both the libvirt connection and the memory and disk '
                    'streams (tcp://ADDR). Unset: its host name.'),
    cfg.IntOpt('live_migration_bandwidth', default=0, min=0,
               max=1024 * 1024,
               help='Most MiB/s a live migration\'s stream may use; 0: no '
                    'limit.'),
    cfg.BoolOpt('live_migration_permit_post_copy', default=False,
                help='Let force-complete (or a migration past its '
                     'completion timeout with timeout_action '
                     'force_complete) switch to post-copy: the guest runs '
                     'on the destination at once and pulls the memory it '
                     'still lacks. Off: force-complete pauses the guest '
                     'until the copy ends.'),
    cfg.IntOpt('live_migration_completion_timeout', default=800, min=0,
               help='Seconds a live migration may take per GiB of memory '
                    'and disk to copy (at least 60 s in all) before '
                    'live_migration_timeout_action is taken; 0: no '
                    'limit.'),
    cfg.StrOpt('live_migration_timeout_action', default='abort',
               choices=['abort', 'force_complete'],
               help='What a live migration past its completion timeout '
                    'does: abort it (the guest stays on the source), or '
                    'force it to complete (see '
                    'live_migration_permit_post_copy).'),
]


def register_opts(conf):
    conf.register_opts(opts, group='libvirt')


def list_opts():
    return {'libvirt': opts}
