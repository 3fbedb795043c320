"""/v2.1/images: the image service as the Compute API shows it (read-only):
the external Glance with the caller's token when there is one, else the
local registry (nova_api/image_source.py)."""

from nova_api import image_source
from nova_api import links
from nova_api import policy
from nova_api import timestamps


def view(req, image, detail=True):
    out = {'id': image['id'], 'name': image['name'],
           'links': links.resource_links(req, 'images', image['id'])}
    if detail:
        status = {'active': 'ACTIVE', 'queued': 'SAVING',
                  'saving': 'SAVING', 'deleted': 'DELETED',
                  'killed': 'ERROR'}.get(image['status'], 'UNKNOWN')
        out.update({
            'minDisk': image['min_disk'], 'minRam': image['min_ram'],
            'progress': 100 if status == 'ACTIVE' else 0,
            'status': status,
            'created': timestamps.seconds(image['created_at']),
            'updated': timestamps.seconds(image['updated_at']),
            'metadata': {k: str(v) for k, v in
                         (image['properties'] or {}).items()},
            'OS-EXT-IMG-SIZE:size': image['size'],
        })
    return out



class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _all(self, req):
        policy.authorize(req, 'os_compute_api:images')
        filters = {}
        if req.get_param('name'):
            filters['name'] = req.get_param('name')
        return image_source.get_all(req.context.ctxt, self.conductor,
                                    filters)


class ImageCollection(_Base):

    def on_get(self, req, resp):
        resp.media = {'images': [view(req, i, detail=False)
                                 for i in self._all(req)]}


class ImageDetail(_Base):

    def on_get(self, req, resp):
        resp.media = {'images': [view(req, i) for i in self._all(req)]}


class Image(_Base):

    def on_get(self, req, resp, image_id):
        policy.authorize(req, 'os_compute_api:images')
        resp.media = {'image': view(req, image_source.get(
            req.context.ctxt, self.conductor, image_id))}
