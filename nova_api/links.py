"""Self and bookmark links, built from the URL the client used."""

from urllib import parse


def base_url(req):
    return req.prefix.rstrip('/')


def _root(req):
    """The versioned root the client called: /v2.1, or /v2 (legacy)."""
    return '/v2' if req.context.get('legacy_v2') else '/v2.1'


def _prefixes(req):
    """(self prefix, bookmark prefix) of this request's links, made once
    per request: a list links every item."""
    found = req.context.get('link_prefixes')
    if found is None:
        base = base_url(req)
        project = req.context.ctxt.project_id
        found = req.context['link_prefixes'] = (
            '%s%s/%s/' % (base, _root(req), project),
            '%s/%s/' % (base, project))
    return found


def resource_links(req, collection, resource_id):
    own, bookmark = _prefixes(req)
    return [
        {'rel': 'self',
         'href': '%s%s/%s' % (own, collection, resource_id)},
        {'rel': 'bookmark',
         'href': '%s%s/%s' % (bookmark, collection, resource_id)},
    ]


def bookmark_links(req, collection, resource_id):
    """[the bookmark link] alone (a server's flavor and image)."""
    return [{'rel': 'bookmark', 'href': '%s%s/%s' % (
        _prefixes(req)[1], collection, resource_id)}]


def collection_next(req, collection, marker):
    params = dict(req.params)
    params['marker'] = marker
    query = parse.urlencode(sorted(params.items()), doseq=True)
    return [{'rel': 'next',
             'href': '%s%s/%s/%s?%s' % (base_url(req), _root(req),
                                        req.context.ctxt.project_id,
                                        collection, query)}]
