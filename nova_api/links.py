"""Self and bookmark links, built from the URL the client used."""

from urllib import parse


def base_url(req):
    return req.prefix.rstrip('/')


def _root(req):
    """The versioned root the client called: /v2.1, or /v2 (legacy)."""
    return '/v2' if req.context.get('legacy_v2') else '/v2.1'


def resource_links(req, collection, resource_id):
    base = base_url(req)
    project = req.context.ctxt.project_id
    return [
        {'rel': 'self',
         'href': '%s%s/%s/%s/%s' % (base, _root(req), project, collection,
                                    resource_id)},
        {'rel': 'bookmark',
         'href': '%s/%s/%s/%s' % (base, project, collection, resource_id)},
    ]


def collection_next(req, collection, marker):
    params = dict(req.params)
    params['marker'] = marker
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return [{'rel': 'next',
             'href': '%s%s/%s/%s?%s' % (base_url(req), _root(req),
                                        req.context.ctxt.project_id,
                                        collection, query)}]
