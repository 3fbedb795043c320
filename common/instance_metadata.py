"""What a guest learns about itself: the OpenStack and EC2 metadata trees.

nova-api-metadata answers a guest's GETs from them (`lookup`), and the
compute writes them to the config drive (`config_drive_files`), so both
say the same. Built from the conductor's instance dict (with its
fixed_ips, key_data, user_data and flavor snapshot); nothing here reads
the database or the network.

The OpenStack tree: /openstack/<version>/{meta_data.json, user_data,
password, vendor_data.json, network_data.json, vendor_data2.json}, each
file from the version that brought it. The EC2 tree: /<version>/meta-data/
(one value per path) and /<version>/user-data.
"""

import base64
import json
import logging
import os

from common import exception
from common import flat_network
from common.conf import CONF

LOG = logging.getLogger(__name__)

# The OpenStack metadata versions, oldest first; 'latest' is the newest.
OPENSTACK_VERSIONS = ('2012-08-10', '2013-04-04', '2013-10-17',
                      '2015-10-15', '2016-06-30', '2016-10-06',
                      '2017-02-22', '2018-08-27', '2020-10-14')
# The EC2 metadata versions guests ask for (cloud-init: 2009-04-04).
EC2_VERSIONS = ('1.0', '2007-01-19', '2007-03-01', '2007-08-29',
                '2007-10-10', '2007-12-15', '2008-02-01', '2008-09-01',
                '2009-04-04')
LATEST = 'latest'

# Each OpenStack file and the version that brought it.
_OPENSTACK_FILES = (('meta_data.json', '2012-08-10'),
                    ('user_data', '2012-08-10'),
                    ('password', '2013-04-04'),
                    ('vendor_data.json', '2013-10-17'),
                    ('network_data.json', '2015-10-15'),
                    ('vendor_data2.json', '2016-10-06'))

# The guest posts its (encrypted) password here; the service handles it.
PASSWORD = 'password'
# Largest password a guest may post (Nova's: four 255-byte chunks).
MAX_PASSWORD_BYTES = 1020


def ec2_id(kind, number):
    """An EC2-style id ('i-0000002a') of a numeric database id."""
    return '%s-%08x' % (kind, number)


def ec2_image_id(image_uuid):
    """'ami-' and the first 8 hex digits of the image's uuid: stable, and
    what the EC2 API shows for the same image."""
    return 'ami-' + image_uuid.replace('-', '')[:8] if image_uuid else None


def _resolved(version, known):
    """The dated version a request names ('latest' is the newest), or
    None for one unknown."""
    if version == LATEST:
        return known[-1]
    return version if version in known else None


def _vendor_data():
    """[api] vendordata_jsonfile_path's JSON, or {}. A missing or broken
    file is logged, and the guest gets {} rather than an error."""
    path = CONF.api.vendordata_jsonfile_path
    if not path:
        return {}
    try:
        with open(path, 'rb') as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        LOG.warning('Vendor data file %s unusable: %s', path, err)
        return {}
    if not isinstance(data, dict):
        LOG.warning('Vendor data file %s is not a JSON object', path)
        return {}
    return data


class InstanceMetadata:
    """The metadata trees of one instance. `network_info`: the fixed IP
    dicts a build has in hand, when the instance's own `fixed_ips` are not
    filled in yet."""

    def __init__(self, instance, network_info=None):
        self.instance = instance
        self.fixed_ips = list(instance.get('fixed_ips') or network_info or [])
        self.vendor_data = _vendor_data()
        # One per tree (a cached answer repeats it): entropy the guest
        # mixes into its pool at first boot.
        self.random_seed = base64.b64encode(os.urandom(512)).decode()
        data = instance.get('user_data')
        # The user data as bytes, or None.
        self.user_data = base64.b64decode(data) if data else None

    # -- what the trees hold ------------------------------------------------

    def _keys(self):
        inst = self.instance
        if not inst.get('key_data'):
            return []
        return [{'name': inst.get('key_name'),
                 'type': inst.get('key_type') or 'ssh',
                 'data': inst['key_data']}]

    def _ssh_keys(self):
        return [key for key in self._keys() if key['type'] == 'ssh']

    def meta_data(self, version):
        """meta_data.json of a dated OpenStack version."""
        inst = self.instance
        out = {
            'uuid': inst['uuid'],
            'name': inst.get('display_name'),
            'hostname': inst.get('hostname'),
            'launch_index': inst.get('launch_index') or 0,
            'availability_zone': inst.get('availability_zone'),
            'meta': {k: str(v) for k, v in
                     (inst.get('metadata') or {}).items()},
            'public_keys': {key['name']: key['data']
                            for key in self._ssh_keys()},
        }
        if version >= '2013-04-04':
            out['random_seed'] = self.random_seed
        if version >= '2015-10-15':
            out['keys'] = self._keys()
            out['project_id'] = inst.get('project_id')
        if version >= '2017-02-22':
            out['devices'] = self._tagged_devices()
        return out

    def _tagged_devices(self):
        """The volumes given a tag (2.49): a guest finds each by its
        serial, the volume id (/dev/disk/by-id/virtio-<first 20>)."""
        return [{'type': 'disk', 'bus': bdm.get('disk_bus') or 'virtio',
                 'serial': bdm['volume_id'], 'path': '/dev/%s'
                 % bdm['device_name'] if bdm.get('device_name') else None,
                 'tags': [bdm['tag']]}
                for bdm in self.instance.get('block_device_mappings') or ()
                if bdm.get('tag') and bdm.get('volume_id') and
                bdm.get('destination_type') == 'volume']

    def network_data(self):
        """network_data.json: a link, a network and DNS per fixed IP."""
        net = flat_network.ip_network()
        gateway = flat_network.gateway()
        dns = [{'type': 'dns', 'address': address}
               for address in flat_network.dns_servers()]
        links, networks = [], []
        for index, ip in enumerate(self.fixed_ips):
            link_id = 'tap%d' % index
            links.append({'id': link_id, 'vif_id': link_id,
                          'type': 'bridge',
                          'ethernet_mac_address': ip['mac'],
                          'mtu': CONF.network.mtu})
            network = {'id': 'network%d' % index, 'type': 'ipv4',
                       'link': link_id, 'ip_address': ip['address'],
                       'netmask': str(net.netmask),
                       'network_id': flat_network.network_id(),
                       'routes': [], 'services': dns}
            if gateway:
                network['routes'] = [{'network': '0.0.0.0',
                                      'netmask': '0.0.0.0',
                                      'gateway': gateway}]
            networks.append(network)
        return {'links': links, 'networks': networks, 'services': dns}

    def openstack_file(self, version, name):
        """The bytes of /openstack/<version>/<name>, or MetadataNotFound."""
        dated = _resolved(version, OPENSTACK_VERSIONS)
        if dated is None or name not in self.openstack_listing(version):
            raise exception.MetadataNotFound()
        if name == 'meta_data.json':
            return _json(self.meta_data(dated))
        if name == 'user_data':
            return self.user_data
        if name == PASSWORD:
            return (self.instance.get('password') or '').encode()
        if name == 'vendor_data.json':
            return _json(self.vendor_data)
        if name == 'network_data.json':
            return _json(self.network_data())
        return _json({'static': self.vendor_data})

    def openstack_listing(self, version):
        """The file names of an OpenStack version (MetadataNotFound for an
        unknown one)."""
        dated = _resolved(version, OPENSTACK_VERSIONS)
        if dated is None:
            raise exception.MetadataNotFound()
        return [name for name, since in _OPENSTACK_FILES
                if dated >= since and
                (name != 'user_data' or self.user_data is not None)]

    def ec2_meta_data(self):
        """The EC2 meta-data tree: nested dicts, leaves are text."""
        inst = self.instance
        first_ip = self.fixed_ips[0]['address'] if self.fixed_ips else ''
        hostname = inst.get('hostname') or ''
        mappings = {'ami': 'vda', 'root': '/dev/vda'}
        if inst.get('ephemeral_gb'):
            mappings['ephemeral0'] = 'vdb'
        out = {
            'ami-id': ec2_image_id(inst.get('image_ref')) or '',
            'ami-launch-index': str(inst.get('launch_index') or 0),
            'block-device-mapping': mappings,
            'hostname': hostname,
            'local-hostname': hostname,
            'public-hostname': hostname,
            'instance-action': 'none',
            'instance-id': ec2_id('i', inst['id']),
            'instance-type': (inst.get('flavor') or {}).get('name', ''),
            'local-ipv4': first_ip,
            'public-ipv4': '',
            'placement': {
                'availability-zone': inst.get('availability_zone') or ''},
            'reservation-id': inst.get('reservation_id') or '',
            'security-groups': 'default',
        }
        keys = self._ssh_keys()
        if keys:
            out['public-keys'] = {
                str(index): {'openssh-key': key['data']}
                for index, key in enumerate(keys)}
        return out

    # -- the HTTP view ------------------------------------------------------

    def lookup(self, path):
        """The answer to GET `path` (text or bytes): a file, or a listing
        (one name a line, subtrees ending in '/'). MetadataNotFound for
        anything else, including '..' and unknown versions."""
        parts = [p for p in path.split('/') if p]
        if any(p in ('.', '..') for p in parts):
            raise exception.MetadataNotFound()
        if parts[:1] == ['openstack']:
            return self._openstack(parts[1:])
        return self._ec2(parts)

    def _openstack(self, parts):
        if not parts:
            return _listing(OPENSTACK_VERSIONS + (LATEST,))
        if len(parts) == 1:
            return _listing(self.openstack_listing(parts[0]))
        if len(parts) == 2:
            return self.openstack_file(parts[0], parts[1])
        raise exception.MetadataNotFound()

    def _ec2(self, parts):
        if not parts:
            return _listing(EC2_VERSIONS + (LATEST,))
        if _resolved(parts[0], EC2_VERSIONS) is None:
            raise exception.MetadataNotFound()
        tree = {'meta-data': self.ec2_meta_data()}
        if self.user_data is not None:
            tree['user-data'] = self.user_data
        node = tree
        for part in parts[1:]:
            if not isinstance(node, dict) or part not in node:
                raise exception.MetadataNotFound()
            node = node[part]
        if not isinstance(node, dict):
            return node
        if parts[1:] == ['meta-data', 'public-keys']:
            # EC2 lists keys as "<index>=<name>".
            return _listing('%d=%s' % (index, key['name'])
                            for index, key in enumerate(self._ssh_keys()))
        return _listing(name + '/' if isinstance(value, dict) else name
                        for name, value in node.items())

    # -- the config drive ---------------------------------------------------

    def config_drive_files(self):
        """{path on the drive: bytes}: every OpenStack version's files
        (not the password, which a guest posts later) and the EC2
        meta-data as JSON."""
        files = {}
        for version in OPENSTACK_VERSIONS + (LATEST,):
            for name in self.openstack_listing(version):
                if name != PASSWORD:
                    files['openstack/%s/%s' % (version, name)] = \
                        self.openstack_file(version, name)
        ec2 = _json(self.ec2_meta_data())
        for version in (EC2_VERSIONS[-1], LATEST):
            files['ec2/%s/meta-data.json' % version] = ec2
            if self.user_data is not None:
                files['ec2/%s/user-data' % version] = self.user_data
        return files


def _json(value):
    return json.dumps(value).encode()


def _listing(names):
    return '\n'.join(names)
