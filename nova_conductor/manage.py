"""nova-manage: database schema, images and flavors, run on a controller.

    nova-manage [--config-file nova.conf] db sync
    nova-manage db version
    nova-manage image import --name NAME [--property K=V]... FILE
    nova-manage image list
    nova-manage flavor create --name NAME --vcpus N --ram MB --disk GB [--id ID]
    nova-manage flavor list
    nova-manage ec2 credentials create --user USER --project PROJECT
    nova-manage ec2 credentials list [--user USER] [--project PROJECT]
    nova-manage ec2 credentials delete ACCESS
    nova-manage keystone register --url URL [--os-* admin credentials]
"""

import argparse
import json
import sys

from common import exception
from common.conf import CONF
from nova_conductor import images
from nova_conductor import keystone_register
from nova_conductor.db import catalog
from nova_conductor.db import ec2 as ec2_db
from nova_conductor.db import migration
from nova_conductor.db import session

DEFAULT_FLAVORS = (
    # flavorid, name, vcpus, ram MB, disk GB
    ('1', 'm1.tiny', 1, 512, 1),
    ('2', 'm1.small', 1, 2048, 20),
    ('3', 'm1.medium', 2, 4096, 40),
    ('4', 'm1.large', 4, 8192, 80),
    ('5', 'm1.xlarge', 8, 16384, 160),
)


def _property(text):
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError('expected KEY=VALUE, got %r' % text)
    return key, value


def build_parser(argv=()):
    parser = argparse.ArgumentParser(
        prog='nova-manage',
        description='Administer the compute controller\'s database.')
    parser.add_argument('--config-file', action='append', default=[],
                        help='nova.conf to read (repeatable)')
    sub = parser.add_subparsers(dest='category', required=True)

    db = sub.add_parser('db', help='database schema')
    db_sub = db.add_subparsers(dest='action', required=True)
    db_sub.add_parser('sync', help='create or upgrade the schema to the '
                                   'latest version')
    db_sub.add_parser('version', help='print the schema version')

    image = sub.add_parser('image', help='the local image registry')
    image_sub = image.add_subparsers(dest='action', required=True)
    imp = image_sub.add_parser('import', help='register a qcow2 or raw file')
    imp.add_argument('file')
    imp.add_argument('--name', required=True)
    imp.add_argument('--property', type=_property, action='append',
                     default=[], metavar='KEY=VALUE',
                     help='image property, e.g. hw_architecture=x86_64')
    imp.add_argument('--min-disk', type=int, default=None,
                     help='GB; default: the image\'s virtual size rounded up')
    imp.add_argument('--min-ram', type=int, default=0, help='MB')
    image_sub.add_parser('list', help='list registered images')

    flavor = sub.add_parser('flavor', help='flavors')
    flavor_sub = flavor.add_subparsers(dest='action', required=True)
    fc = flavor_sub.add_parser('create', help='create a flavor')
    fc.add_argument('--name', required=True)
    fc.add_argument('--id', default=None)
    fc.add_argument('--vcpus', type=int, required=True)
    fc.add_argument('--ram', type=int, required=True, help='MB')
    fc.add_argument('--disk', type=int, required=True, help='GB')
    flavor_sub.add_parser('list', help='list flavors')
    flavor_sub.add_parser('seed', help='create the m1.* flavors if missing')
    # Its auth options depend on --os-auth-type, hence argv.
    _add_ec2_parser(sub)
    keystone_register.add_parser(sub, list(argv))
    return parser


def _add_ec2_parser(sub):
    ec2 = sub.add_parser('ec2', help='EC2 API access keys without Keystone')
    ec2_sub = ec2.add_subparsers(dest='object', required=True)
    creds = ec2_sub.add_parser('credentials', help='access keys')
    creds_sub = creds.add_subparsers(dest='action', required=True)
    create = creds_sub.add_parser(
        'create', help='make an access key and secret for a user of a '
                       'project (printed as JSON; keep the secret)')
    create.add_argument('--user', required=True, help='user id')
    create.add_argument('--project', required=True, help='project id')
    listing = creds_sub.add_parser('list', help='list access keys '
                                                '(without secrets)')
    listing.add_argument('--user', help='only this user\'s')
    listing.add_argument('--project', help='only this project\'s')
    delete = creds_sub.add_parser('delete', help='delete an access key')
    delete.add_argument('access', help='the access key id')


def _ids(text, what):
    if not text or len(text) > 255 or not text.isprintable():
        raise exception.Invalid('The %s id must be 1 to 255 printable '
                                'characters.' % what)
    return text


def run_ec2(args):
    if args.action == 'create':
        credential = ec2_db.credential_create(
            _ids(args.user, 'user'), _ids(args.project, 'project'))
        print(json.dumps({k: credential[k] for k in (
            'access', 'secret', 'user_id', 'project_id')}, indent=2))
    elif args.action == 'list':
        for c in ec2_db.credential_list(args.project, args.user):
            print('%s  user %s  project %s'
                  % (c['access'], c['user_id'], c['project_id']))
    else:
        ec2_db.credential_delete(args.access)
        print('Deleted %s' % args.access)


def seed_flavors():
    """Create the classic m1.* flavors that are missing; returns their names."""
    existing = {f['name'] for f in catalog.flavor_get_all()}
    made = []
    for flavorid, name, vcpus, ram, disk in DEFAULT_FLAVORS:
        if name in existing:
            continue
        try:
            catalog.flavor_create({'flavorid': flavorid, 'name': name,
                                   'vcpus': vcpus, 'memory_mb': ram,
                                   'root_gb': disk})
            made.append(name)
        except exception.FlavorExists:
            pass
    return made


def run(args):
    if args.category == 'db' and args.action == 'sync':
        migration.db_sync()
        print('Database schema is at version %s' % migration.db_version())
    elif args.category == 'db':
        print(migration.db_version() or 'empty')
    elif args.category == 'ec2':
        run_ec2(args)
    elif args.category == 'image' and args.action == 'import':
        image = images.import_file(args.file, args.name,
                                   CONF.image_store_path,
                                   properties=dict(args.property),
                                   min_disk=args.min_disk,
                                   min_ram=args.min_ram)
        print(json.dumps({k: image[k] for k in (
            'id', 'name', 'disk_format', 'size', 'virtual_size', 'min_disk',
            'properties')}, indent=2))
    elif args.category == 'image':
        for image in catalog.image_get_all():
            print('%s  %-20s %-6s %d GB min' % (
                image['id'], image['name'], image['disk_format'],
                image['min_disk']))
    elif args.action == 'create':
        flavor = catalog.flavor_create({
            'flavorid': args.id, 'name': args.name, 'vcpus': args.vcpus,
            'memory_mb': args.ram, 'root_gb': args.disk})
        print('Created flavor %s (id %s)' % (flavor['name'],
                                             flavor['flavorid']))
    elif args.action == 'seed':
        print('Created: %s' % (', '.join(seed_flavors()) or 'nothing'))
    else:
        for f in catalog.flavor_get_all():
            print('%-8s %-12s %2d vCPU %6d MB %4d GB' % (
                f['flavorid'], f['name'], f['vcpus'], f['memory_mb'],
                f['root_gb']))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    conf_args = []
    for path in args.config_file:
        conf_args += ['--config-file', path]
    CONF(conf_args, project='nova', default_config_files=None
         if args.config_file else None)
    if args.category == 'keystone':
        return keystone_register.run(args, CONF)
    session.configure(CONF.database.connection)
    try:
        run(args)
    except exception.NovaException as e:
        print('ERROR: %s' % e, file=sys.stderr)
        return 1
    finally:
        session.dispose()
    return 0


if __name__ == '__main__':
    sys.exit(main())
