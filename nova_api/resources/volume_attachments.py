"""/v2.1/servers/{id}/os-volume_attachments: Cinder volumes of a server.

Attaching checks the volume with the caller's token (it exists, is
available, is in the server's zone when [cinder] cross_az_attach is
False); the conductor records the mapping and the server's compute
connects and plugs it, answering with the device it got. Detaching
unplugs it and deletes its attachment; the volume is left available.
"""

import falcon

from common import cinder_client
from common import exception
from common.conf import CONF
from nova_api import query
from nova_api import validation
from nova_api import volume_checks
from nova_api.resources import server_resource

_ROOT = 'os_compute_api:os-volumes-attachments:'
_DEVICE = {'type': ['string', 'null'], 'maxLength': 255,
           'pattern': '^(/dev/)?[a-z]+$'}
_TAG = {'type': 'string', 'minLength': 1, 'maxLength': 60,
        'pattern': '^[^,/]*$'}


def create_schema(version):
    props = {'volumeId': validation.UUID, 'device': _DEVICE}
    if version >= (2, 49):
        props['tag'] = _TAG
    if version >= (2, 79):
        props['delete_on_termination'] = validation.BOOLEAN
    return {'type': 'object', 'properties': {'volumeAttachment': {
        'type': 'object', 'properties': props, 'required': ['volumeId'],
        'additionalProperties': False}},
        'required': ['volumeAttachment'], 'additionalProperties': False}


UPDATE_SCHEMA = {
    'type': 'object', 'properties': {'volumeAttachment': {
        'type': 'object', 'properties': {
            'volumeId': validation.UUID, 'device': _DEVICE,
            'id': validation.UUID, 'serverId': validation.UUID,
            'tag': _TAG, 'delete_on_termination': validation.BOOLEAN},
        'required': ['volumeId'], 'additionalProperties': False}},
    'required': ['volumeAttachment'], 'additionalProperties': False}


def view(req, instance_uuid, bdm):
    version = req.context.api_version
    device = bdm.get('device_name')
    out = {'id': bdm['volume_id'], 'serverId': instance_uuid,
           'volumeId': bdm['volume_id'],
           'device': '/dev/' + device if device else None}
    if version >= (2, 70):
        out['tag'] = bdm.get('tag')
    if version >= (2, 79):
        out['delete_on_termination'] = bool(bdm.get('delete_on_termination'))
    if version >= (2, 89):
        out.pop('id')
        out['attachment_id'] = bdm.get('attachment_id')
        out['bdm_uuid'] = None
    return out


def _volumes(instance):
    return [m for m in instance.get('block_device_mappings') or ()
            if m.get('destination_type') == 'volume' and m.get('volume_id')]


class _Base(server_resource.ServerResource):

    def __init__(self, conductor_api, cinder=None):
        super().__init__(conductor_api)
        self.cinder = cinder or cinder_client.CinderClient(CONF)

    def _find(self, instance, volume_id):
        for bdm in _volumes(instance):
            if bdm['volume_id'] == volume_id:
                return bdm
        raise exception.NotFound('Instance %s is not attached to volume %s.'
                                 % (instance['uuid'], volume_id))


class VolumeAttachments(_Base):

    def on_get(self, req, resp, server_id):
        instance = self.get_visible(req, server_id, _ROOT + 'index')
        found = _volumes(instance)
        offset = query.limit(req, 'offset') or 0
        limit = query.limit(req)
        limit = len(found) if limit is None else limit
        resp.media = {'volumeAttachments': [
            view(req, server_id, bdm)
            for bdm in found[offset:offset + limit]]}

    @validation.schema(create_schema)
    def on_post(self, req, resp, server_id, body):
        ctxt = req.context.ctxt
        item = body['volumeAttachment']
        instance = self.get_writable(req, server_id, _ROOT + 'create')
        volume_id = item['volumeId']
        self._check_volume(ctxt, instance, volume_id)
        bdm = self.conductor.volume_attach(
            ctxt, server_id, volume_id, tag=item.get('tag'),
            delete_on_termination=validation.as_bool(
                item.get('delete_on_termination', False)))
        resp.media = {'volumeAttachment': view(req, server_id, bdm)}

    def _check_volume(self, ctxt, instance, volume_id):
        try:
            volume = self.cinder.get(ctxt, volume_id)
        except exception.VolumeNotFound:
            raise exception.NotFound('Volume %s could not be found.'
                                     % volume_id)
        volume_checks.check_attachable(volume,
                                       instance.get('availability_zone'))


class VolumeAttachment(_Base):

    def on_get(self, req, resp, server_id, volume_id):
        instance = self.get_visible(req, server_id, _ROOT + 'show')
        resp.media = {'volumeAttachment': view(
            req, server_id, self._find(instance, volume_id))}

    @validation.schema(UPDATE_SCHEMA)
    def on_put(self, req, resp, server_id, volume_id, body):
        """2.85: the same volume with a new delete_on_termination. Swap
        (another volumeId) is not supported."""
        item = body['volumeAttachment']
        instance = self.get_writable(req, server_id, _ROOT + 'update')
        bdm = self._find(instance, volume_id)
        if item['volumeId'] != volume_id:
            raise exception.Invalid(
                'Swapping a volume for another is not supported; detach '
                'the volume and attach the other one.')
        if req.context.api_version < (2, 85):
            raise exception.Invalid('Updating a volume attachment needs '
                                    'microversion 2.85 or later.')
        for key in ('id', 'serverId', 'tag'):
            if key in item and item[key] != view(
                    req, server_id, bdm).get(key, item[key]):
                raise exception.Invalid('%s of an attachment cannot be '
                                        'changed.' % key)
        if 'delete_on_termination' in item:
            bdm = self.conductor.block_device_update(
                req.context.ctxt, bdm['id'], {
                    'delete_on_termination': validation.as_bool(
                        item['delete_on_termination'])})
        resp.status = falcon.HTTP_204

    def on_delete(self, req, resp, server_id, volume_id):
        instance = self.get_writable(req, server_id, _ROOT + 'delete')
        self._find(instance, volume_id)
        self.conductor.volume_detach(req.context.ctxt, server_id, volume_id)
        resp.status = falcon.HTTP_202
