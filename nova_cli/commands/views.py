"""Shared field builders: how a server or a flavor reads in the CLI."""

from cliff import columns

from nova_cli import format
from nova_cli import http


class RefColumn(columns.FormattableColumn):
    """A flavor or image: "name (id)" for people, {id, name} for scripts."""

    def human_readable(self):
        value = self._value or {}
        return format.name_and_id(value.get('name'), value.get('id'))


def name_index(compute, path, key):
    """{id: name} of a listing; empty when the caller may not list it."""
    try:
        return {i['id']: i['name'] for i in compute.get(path)[key]}
    except http.ApiError:
        return {}


def names(compute):
    return (name_index(compute, '/flavors', 'flavors'),
            name_index(compute, '/images', 'images'))


def flavor_of(server, flavor_names):
    ident, embedded_name = format.flavor_ref(server)
    return RefColumn({'id': ident,
                      'name': embedded_name or flavor_names.get(ident)})


def image_of(server, image_names):
    ident = format.image_ref(server)
    if not ident:
        return RefColumn({})
    return RefColumn({'id': ident, 'name': image_names.get(ident)})


def server_fields(server, flavor_names, image_names):
    """(names, values) of `server show`; admin-only fields when present."""
    fields = [
        ('id', server.get('id')),
        ('name', server.get('name')),
        ('status', server.get('status')),
        ('task_state', server.get('OS-EXT-STS:task_state')),
        ('vm_state', server.get('OS-EXT-STS:vm_state')),
        ('power_state', format.PowerStateColumn(
            server.get('OS-EXT-STS:power_state'))),
        ('flavor', flavor_of(server, flavor_names)),
        ('image', image_of(server, image_names)),
        ('addresses', format.AddressesColumn(server.get('addresses'))),
        ('availability_zone', server.get('OS-EXT-AZ:availability_zone')),
        ('key_name', server.get('key_name')),
        ('metadata', format.DictColumn(server.get('metadata'))),
        ('project_id', server.get('tenant_id')),
        ('user_id', server.get('user_id')),
        ('created', server.get('created')),
        ('updated', server.get('updated')),
    ]
    if 'OS-EXT-SRV-ATTR:host' in server:
        fields += [
            ('host', server.get('OS-EXT-SRV-ATTR:host')),
            ('hypervisor_hostname',
             server.get('OS-EXT-SRV-ATTR:hypervisor_hostname')),
            ('instance_name', server.get('OS-EXT-SRV-ATTR:instance_name')),
        ]
    if server.get('fault'):
        fields.append(('fault', server['fault'].get('message')))
    if server.get('adminPass'):
        fields.append(('adminPass', server['adminPass']))
    return tuple(zip(*fields))
