"""nova-manage keystone register: put the compute API in Keystone's catalog.

    nova-manage [--config-file nova.conf] keystone register \\
        --url http://controller:8774/v2.1 [--region RegionOne] \\
        --os-auth-url http://controller:5000/v3 --os-username admin ...

Creates, where missing, the service "compute" (type compute), its public,
internal and admin endpoints in the region, the service project, and the
service user nova-api validates tokens as (name and password from
`[keystone_authtoken]`, or --service-user/--service-password) with a role
on that project. A second run changes nothing and says so; an endpoint with
another URL is updated. Only HTTP to Keystone, through keystoneauth1: the
admin credentials come from the usual --os-* options or OS_* variables.
"""

import sys

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading

AUTHTOKEN = 'keystone_authtoken'
INTERFACES = ('public', 'internal', 'admin')


def add_parser(sub, argv):
    keystone = sub.add_parser('keystone', help='the Keystone catalog')
    keystone_sub = keystone.add_subparsers(dest='action', required=True)
    reg = keystone_sub.add_parser(
        'register', help='create the compute service, its endpoints and '
                         'the service user (idempotent)')
    reg.add_argument('--url', required=True,
                     help='public compute endpoint, e.g. '
                          'http://controller:8774/v2.1')
    reg.add_argument('--internal-url', help='default: --url')
    reg.add_argument('--admin-url', help='default: --url')
    reg.add_argument('--image-url',
                     help='also register this image (Glance v2) endpoint, '
                          'e.g. http://controller:8774/image, the one '
                          'nova-api serves')
    reg.add_argument('--region', default='RegionOne')
    reg.add_argument('--service-user',
                     help='default: [keystone_authtoken] username, or nova')
    reg.add_argument('--service-password',
                     help='default: [keystone_authtoken] password')
    reg.add_argument('--service-project',
                     help='default: [keystone_authtoken] project_name, or '
                          'service')
    reg.add_argument('--service-role', default='admin',
                     help='role of the service user on its project')
    reg.add_argument('--domain', default='default',
                     help='domain id of the service user and project')
    ks_loading.register_session_argparse_arguments(reg)
    ks_loading.register_auth_argparse_arguments(reg, argv,
                                                default='password')


def _authtoken_value(conf, name):
    """An auth plugin option of [keystone_authtoken], if nova.conf has it."""
    ks_loading.register_auth_conf_options(conf, AUTHTOKEN)
    auth_type = conf[AUTHTOKEN].auth_type
    if not auth_type:
        return None
    conf.register_opts(ks_loading.get_auth_plugin_conf_options(auth_type),
                       group=AUTHTOKEN)
    return getattr(conf[AUTHTOKEN], name, None)


class Registrar:
    """Find-or-create calls against Keystone's v3 API, noting each change."""

    def __init__(self, identity, out):
        self.identity = identity
        self.out = out
        self.changed = False

    def say(self, changed, message):
        self.changed = self.changed or changed
        print(message, file=self.out)

    def find(self, collection, **filters):
        found = self.identity.get('/%s' % collection,
                                  params=filters).json()[collection]
        return found[0] if found else None

    def create(self, collection, kind, body):
        return self.identity.post('/%s' % collection,
                                  json={kind: body}).json()[kind]

    def ensure(self, collection, kind, filters, body, label):
        found = self.find(collection, **filters)
        if found:
            self.say(False, '%s exists' % (label[0].upper() + label[1:]))
            return found
        created = self.create(collection, kind, body)
        self.say(True, 'Created %s' % label)
        return created

    def ensure_region(self, region_id):
        try:
            self.identity.get('/regions/%s' % region_id)
            self.say(False, 'Region %s exists' % region_id)
        except ks_exceptions.NotFound:
            self.create('regions', 'region', {'id': region_id})
            self.say(True, 'Created region %s' % region_id)

    def ensure_endpoint(self, service_id, interface, url, region):
        label = '%s endpoint %s in %s' % (interface, url, region)
        found = self.find('endpoints', service_id=service_id,
                           interface=interface, region_id=region)
        if not found:
            self.create('endpoints', 'endpoint', {
                'service_id': service_id, 'interface': interface,
                'url': url, 'region_id': region})
            self.say(True, 'Created %s' % label)
        elif found['url'] != url:
            self.identity.patch('/endpoints/%s' % found['id'],
                                json={'endpoint': {'url': url}})
            self.say(True, 'Updated %s (was %s)' % (label, found['url']))
        else:
            self.say(False, '%s exists' % (label[0].upper() + label[1:]))

    def ensure_role(self, project, user, role):
        label = 'role %s for user %s on project %s' % (
            role['name'], user['name'], project['name'])
        path = '/projects/%s/users/%s/roles/%s' % (
            project['id'], user['id'], role['id'])
        try:
            self.identity.head(path)
            self.say(False, 'Role assignment exists: %s' % label)
        except ks_exceptions.NotFound:
            self.identity.put(path)
            self.say(True, 'Granted %s' % label)


def register(args, conf, identity, out=sys.stdout):
    """Make the catalog and service user match `args`; True if it changed."""
    user_name = (args.service_user or _authtoken_value(conf, 'username') or
                 'nova')
    password = (args.service_password or
                _authtoken_value(conf, 'password'))
    project_name = (args.service_project or
                    _authtoken_value(conf, 'project_name') or 'service')
    reg = Registrar(identity, out)

    reg.ensure_region(args.region)
    service = reg.ensure(
        'services', 'service', {'type': 'compute'},
        {'type': 'compute', 'name': 'nova',
         'description': 'OpenStack Compute (nova-lite)'},
        'service nova (type compute)')
    urls = {'public': args.url, 'internal': args.internal_url or args.url,
            'admin': args.admin_url or args.url}
    for interface in INTERFACES:
        reg.ensure_endpoint(service['id'], interface, urls[interface],
                            args.region)
    if getattr(args, 'image_url', None):
        image = reg.ensure(
            'services', 'service', {'type': 'image'},
            {'type': 'image', 'name': 'glance',
             'description': 'Image registry served by nova-api'},
            'service glance (type image)')
        for interface in INTERFACES:
            reg.ensure_endpoint(image['id'], interface, args.image_url,
                                args.region)
    project = reg.ensure(
        'projects', 'project', {'name': project_name,
                                'domain_id': args.domain},
        {'name': project_name, 'domain_id': args.domain,
         'description': 'Service users'},
        'project %s' % project_name)
    existing_user = reg.find('users', name=user_name,
                              domain_id=args.domain)
    if existing_user:
        user = existing_user
        reg.say(False, 'User %s exists (password left as it is)'
                 % user_name)
    elif not password:
        raise ValueError('user %s does not exist; give --service-password '
                         'or set [keystone_authtoken] password' % user_name)
    else:
        user = reg.create('users', 'user', {
            'name': user_name, 'password': password,
            'domain_id': args.domain, 'default_project_id': project['id']})
        reg.say(True, 'Created user %s' % user_name)
    role = reg.find('roles', name=args.service_role)
    if not role:
        raise ValueError('role %s does not exist in Keystone'
                         % args.service_role)
    reg.ensure_role(project, user, role)
    if not reg.changed:
        print('Nothing to change: Keystone already lists the compute '
              'service, its endpoints and user %s.' % user_name, file=out)
    return reg.changed


def run(args, conf):
    try:
        auth = ks_loading.load_auth_from_argparse_arguments(args)
        session = ks_loading.load_session_from_argparse_arguments(
            args, auth=auth)
        identity = ks_adapter.Adapter(
            session, service_type='identity', interface='public',
            min_version='3.0', max_version='3.latest')
        register(args, conf, identity)
    except (ks_exceptions.ClientException, ValueError) as e:
        print('ERROR: %s' % e, file=sys.stderr)
        return 1
    return 0
