"""Find a resource by id or by name, the way users type them."""

import urllib.parse

from nova_cli import http


class NotFound(Exception):
    """No single resource matches what the user typed."""


def quote(value):
    return urllib.parse.quote(str(value), safe='')


def _by_id(compute, path, key, ident):
    try:
        return compute.get('%s/%s' % (path, quote(ident)))[key]
    except http.ApiError as e:
        # 400 too: some ids are refused as malformed before lookup.
        if e.status in (400, 404):
            return None
        raise


def pick(items, name, kind, field='name'):
    """The one item whose `field` equals name; NotFound for none or more."""
    matches = [i for i in items if str(i.get(field)) == name]
    if not matches:
        raise NotFound('No %s with a name or ID of \'%s\' exists.'
                       % (kind, name))
    if len(matches) > 1:
        raise NotFound('More than one %s exists with the name \'%s\'; use '
                       'its ID.' % (kind, name))
    return matches[0]


def all_servers(compute, query=None):
    """Every server of a detailed listing, following the pages."""
    found = []
    params = dict(query or {})
    while True:
        url = '/servers/detail'
        if params:
            url += '?' + urllib.parse.urlencode(params)
        page = compute.get(url)
        found.extend(page['servers'])
        if not page.get('servers_links') or not page['servers']:
            return found
        params['marker'] = page['servers'][-1]['id']


def server(compute, ident):
    return (_by_id(compute, '/servers', 'server', ident) or
            pick(all_servers(compute), ident, 'server'))


def flavor(compute, ident):
    return (_by_id(compute, '/flavors', 'flavor', ident) or
            pick(compute.get('/flavors/detail')['flavors'], ident, 'flavor'))


def image(compute, ident):
    found = _by_id(compute, '/images', 'image', ident)
    if found:
        return found
    return pick(compute.get('/images/detail?name=%s' % quote(ident))[
        'images'], ident, 'image')


def aggregate(compute, ident):
    aggregates = compute.get('/os-aggregates')['aggregates']
    by_id = [a for a in aggregates if str(a['id']) == ident]
    return by_id[0] if by_id else pick(aggregates, ident, 'aggregate')


def server_group(compute, ident):
    found = _by_id(compute, '/os-server-groups', 'server_group', ident)
    if found:
        return found
    return pick(compute.get('/os-server-groups')['server_groups'], ident,
                'server group')


def hypervisor(compute, ident):
    hypervisors = compute.get('/os-hypervisors/detail')['hypervisors']
    by_id = [h for h in hypervisors if str(h['id']) == ident]
    return by_id[0] if by_id else pick(hypervisors, ident, 'hypervisor',
                                       field='hypervisor_hostname')
