"""The snapshot and shelving actions of /servers/{id}/action: createImage,
createBackup, shelve, shelveOffload and unshelve, their schemas by
microversion, and their answers.

createImage and createBackup answer 202 with the new image's URL in
`Location` before 2.45, and `{"image_id": ...}` from 2.45. The image is
queued at once and filled by the compute host (task_state
image_snapshot/image_backup -> image_pending_upload -> image_uploading).
"""

import falcon

from nova_api import create_checks
from nova_api import image_source
from nova_api import links
from nova_api import validation
from nova_api.resources import servers

# From 2.45 the image id is in the body, and no Location is sent.
V_IMAGE_ID_BODY = (2, 45)
V_UNSHELVE_AZ = (2, 77)
V_UNSHELVE_HOST = (2, 91)

CREATE_IMAGE_SCHEMA = {
    'type': 'object',
    'properties': {'name': validation.NAME,
                   'metadata': servers.METADATA_SCHEMA},
    'required': ['name'], 'additionalProperties': False,
}
_ROTATION = {'type': ['integer', 'string'], 'pattern': '^[0-9]+$',
             'minimum': 0, 'maximum': validation.MAX_INT}
CREATE_BACKUP_SCHEMA = {
    'type': 'object',
    'properties': {'name': validation.NAME,
                   'backup_type': {'type': 'string', 'minLength': 1,
                                   'maxLength': 255},
                   'rotation': _ROTATION,
                   'metadata': servers.METADATA_SCHEMA},
    'required': ['name', 'backup_type', 'rotation'],
    'additionalProperties': False,
}
_ZONE = {'type': 'string', 'minLength': 1, 'maxLength': 255}


def unshelve_schema(version):
    """Before 2.77 any body (ignored); an availability_zone from 2.77;
    from 2.91 it may be null (unpinned) and a host may be named."""
    if version < V_UNSHELVE_AZ:
        return validation.ANY
    props = {'availability_zone': _ZONE}
    if version >= V_UNSHELVE_HOST:
        props = {'availability_zone': dict(_ZONE, type=['string', 'null']),
                 'host': {'type': 'string', 'minLength': 1,
                          'maxLength': 255}}
    return {'type': ['object', 'null'], 'properties': props,
            'additionalProperties': False}


SCHEMAS = {
    'createImage': CREATE_IMAGE_SCHEMA,
    'createBackup': CREATE_BACKUP_SCHEMA,
    'shelve': validation.ANY,
    'shelveOffload': validation.ANY,
    'unshelve': unshelve_schema,
}


def _image_answer(req, resp, image):
    resp.status = falcon.HTTP_202
    if image is None:
        return
    if req.context.api_version >= V_IMAGE_ID_BODY:
        resp.media = {'image_id': image['id']}
    else:
        resp.location = '%s/images/%s' % (
            image_source.root(links.base_url(req)), image['id'])


def _check_metadata(resource, ctxt, metadata):
    if metadata:
        create_checks.check_metadata(resource.conductor.quota_get(
            ctxt, ctxt.project_id)['limits'], metadata)


def create_image(resource, req, resp, server_id, params):
    ctxt = req.context.ctxt
    resource.get_writable(req, server_id,
                          'os_compute_api:servers:create_image')
    _check_metadata(resource, ctxt, params.get('metadata'))
    image = resource.conductor.snapshot_instance(
        ctxt, server_id, params['name'], 'snapshot',
        params.get('metadata') or {})
    _image_answer(req, resp, image)


def create_backup(resource, req, resp, server_id, params):
    ctxt = req.context.ctxt
    resource.get_writable(req, server_id, 'os_compute_api:os-create-backup')
    _check_metadata(resource, ctxt, params.get('metadata'))
    rotation = int(params['rotation'])
    image = resource.conductor.snapshot_instance(
        ctxt, server_id, params['name'], 'backup',
        params.get('metadata') or {}, params['backup_type'], rotation)
    # As Nova: with rotation 0 every backup of the type goes, this one
    # too, so there is no image to point at.
    _image_answer(req, resp, image if rotation > 0 else None)


def shelve(resource, req, resp, server_id, params):
    resource.get_writable(req, server_id, 'os_compute_api:os-shelve:shelve')
    resource.conductor.shelve_instance(req.context.ctxt, server_id)
    resp.status = falcon.HTTP_202


def shelve_offload(resource, req, resp, server_id, params):
    resource.get_writable(req, server_id,
                          'os_compute_api:os-shelve:shelve_offload')
    resource.conductor.shelve_offload_instance(req.context.ctxt, server_id)
    resp.status = falcon.HTTP_202


def unshelve(resource, req, resp, server_id, params):
    ctxt = req.context.ctxt
    version = req.context.api_version
    resource.get_writable(req, server_id, 'os_compute_api:os-shelve:unshelve')
    kwargs = {}
    if version >= V_UNSHELVE_AZ and 'availability_zone' in (params or {}):
        kwargs['availability_zone'] = params['availability_zone']
    if version >= V_UNSHELVE_HOST and (params or {}).get('host'):
        resource.get_visible(req, server_id,
                             'os_compute_api:os-shelve:unshelve_to_host')
        kwargs['host'] = params['host']
    resource.conductor.unshelve_instance(ctxt, server_id, **kwargs)
    resp.status = falcon.HTTP_202


HANDLERS = {'createImage': create_image, 'createBackup': create_backup,
            'shelve': shelve, 'shelveOffload': shelve_offload,
            'unshelve': unshelve}
