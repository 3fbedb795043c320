"""A small client of Cinder's v3 API: volumes and their attachments.

Every request is made as the caller (their token, their project), so the
volume service decides what they may see and use. Attachments use the
API of microversion 3.44 (Nova's way since Queens): create reserves the
volume for an instance; update with the host's connector returns the
connection_info the hypervisor needs; complete marks it in-use; delete
detaches.

Where Cinder is: [cinder] endpoint_template, else the caller's service
catalog (what Keystone gave the API with their token), else the catalog
the [cinder] service credentials see. Reads that could not connect are
tried again ([cinder] http_retries); a change is sent once, since one
whose answer was lost may have been made.
"""

import time
import urllib.parse

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging

from common import exception
from common import service_session

LOG = logging.getLogger(__name__)

# The attachments API as Nova uses it (create, update, complete, delete).
MICROVERSION = '3.44'
# Statuses a volume never leaves by itself while we wait for another.
FAILED_STATUSES = ('error', 'error_restoring', 'error_extending',
                   'error_deleting', 'error_managing')
# Polling a volume's status: the first pause, and the longest. A boot
# from volume waits on Cinder's copy of the image (a second or more) and
# a longer pause is time added to the boot (2 s cost a 1.9 s copy 1.1 s);
# a GET costs Cinder ~10 ms.
POLL_FIRST = 0.1
POLL_MAX = 0.5
_INTERFACES = {'publicURL': 'public', 'internalURL': 'internal',
               'adminURL': 'admin'}


def parse_catalog_info(info):
    """'volumev3:cinderv3:publicURL' -> (type, name or None, interface)."""
    parts = (info or '').split(':')
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise exception.Invalid(
            reason='[cinder] catalog_info %r is not '
                   '<service_type>:<service_name>:<interface>' % info)
    service_type, name, interface = parts
    return service_type, name or None, _INTERFACES.get(interface, interface)


def catalog_endpoint(catalog, service_type, name, interface, region=None):
    """The URL of the first matching endpoint in a Keystone v3 catalog
    (a list of services with their endpoints), or None."""
    for service in catalog or ():
        if not isinstance(service, dict) or \
                service.get('type') != service_type or \
                (name and service.get('name') != name):
            continue
        for endpoint in service.get('endpoints') or ():
            if endpoint.get('interface') == interface and \
                    (not region or endpoint.get('region') == region or
                     endpoint.get('region_id') == region):
                return endpoint.get('url')
    return None


class CinderClient:

    def __init__(self, conf, sleep=time.sleep, clock=time.monotonic):
        self.conf = conf
        self._session = None
        self._service_user = None
        self._sleep = sleep
        self._clock = clock

    @property
    def session(self):
        if self._session is None:
            self._session = service_session.load(self.conf, 'cinder')
        return self._session

    # -- where -------------------------------------------------------------

    def endpoint(self, ctxt):
        """The caller's Cinder v3 URL (with their project id), or
        VolumeServiceUnavailable when none is configured or listed."""
        opts = self.conf.cinder
        if opts.endpoint_template:
            return opts.endpoint_template % {'project_id': ctxt.project_id}
        service_type, name, interface = parse_catalog_info(opts.catalog_info)
        url = catalog_endpoint(getattr(ctxt, 'service_catalog', None),
                               service_type, name, interface,
                               opts.os_region_name)
        if url is None and self.session.auth is not None:
            url = self._service_catalog_url(ctxt, service_type, name,
                                            interface)
        if not url:
            raise exception.VolumeServiceUnavailable(
                url='the catalog', reason='no %s endpoint: set [cinder] '
                'endpoint_template or catalog_info' % service_type)
        return url.rstrip('/')

    def _service_catalog_url(self, ctxt, service_type, name, interface):
        """The endpoint the service credentials see, moved to the caller's
        project: Keystone fills a catalog URL's project with the token's,
        here the service's own."""
        try:
            url = self.session.get_endpoint(
                service_type=service_type, service_name=name,
                interface=interface, region_name=self.conf.cinder.
                os_region_name)
            own = self.session.get_project_id()
        except ks_exc.ClientException as err:
            raise exception.VolumeServiceUnavailable(
                url='the catalog', reason=str(err))
        if url and own and ctxt.project_id and url.rstrip('/').endswith(own):
            url = url.rstrip('/')[:-len(own)] + ctxt.project_id
        return url

    # -- volumes -----------------------------------------------------------

    def get(self, ctxt, volume_id):
        return self._read(ctxt, 'volumes/%s' % _quote(volume_id),
                          volume_id=volume_id)['volume']

    def create(self, ctxt, size, name=None, image_id=None,
               availability_zone=None, volume_type=None, description=None):
        """A new volume (status 'creating'); wait_for_status for it."""
        body = {'size': int(size)}
        for key, value in (('name', name), ('imageRef', image_id),
                           ('availability_zone', availability_zone),
                           ('volume_type', volume_type),
                           ('description', description)):
            if value is not None:
                body[key] = value
        return self._write(ctxt, 'POST', 'volumes',
                           json={'volume': body}, ok=(202,))['volume']

    def delete(self, ctxt, volume_id):
        self._write(ctxt, 'DELETE', 'volumes/%s' % _quote(volume_id),
                    ok=(202,), volume_id=volume_id)

    def wait_for_status(self, ctxt, volume_id, wanted, timeout):
        """Poll the volume until its status is `wanted` (a status or a
        tuple of them) and return it. VolumeStatusFailed when it went to
        an error status, VolumeStatusTimeout after `timeout` seconds."""
        wanted = (wanted,) if isinstance(wanted, str) else tuple(wanted)
        deadline = self._clock() + timeout
        pause = POLL_FIRST
        while True:
            volume = self.get(ctxt, volume_id)
            status = volume.get('status')
            if status in wanted:
                return volume
            if status in FAILED_STATUSES:
                raise exception.VolumeStatusFailed(volume_id=volume_id,
                                                   status=status)
            if self._clock() + pause > deadline:
                raise exception.VolumeStatusTimeout(
                    volume_id=volume_id, wanted=' or '.join(wanted),
                    seconds=timeout, status=status)
            self._sleep(pause)
            pause = min(pause * 2, POLL_MAX)

    # -- attachments (3.44) ------------------------------------------------

    def attachment_create(self, ctxt, volume_id, instance_uuid,
                          connector=None):
        """Reserve the volume for the instance; with a connector, also
        make the connection (the answer then has connection_info)."""
        body = {'volume_uuid': volume_id, 'instance_uuid': instance_uuid}
        if connector is not None:
            body['connector'] = connector
        return _translated(self._write(
            ctxt, 'POST', 'attachments', json={'attachment': body},
            ok=(200,), volume_id=volume_id)['attachment'])

    def attachments_of(self, ctxt, instance_uuid, volume_id):
        """The attachments of a volume to an instance, reserved ones too
        (a volume's own list shows only those connected)."""
        found = self._read(ctxt, 'attachments?instance_id=%s&volume_id=%s'
                           % (_quote(instance_uuid), _quote(volume_id)),
                           volume_id=volume_id)['attachments']
        return [a for a in found if a.get('volume_id') == volume_id and
                a.get('instance') == instance_uuid]

    def attachment_get(self, ctxt, attachment_id):
        return _translated(self._read(
            ctxt, 'attachments/%s' % _quote(attachment_id),
            attachment_id=attachment_id)['attachment'])

    def attachment_update(self, ctxt, attachment_id, connector):
        """Give the host's connector; the attachment with its
        connection_info."""
        return _translated(self._write(
            ctxt, 'PUT', 'attachments/%s' % _quote(attachment_id),
            json={'attachment': {'connector': connector}}, ok=(200,),
            attachment_id=attachment_id)['attachment'])

    def attachment_complete(self, ctxt, attachment_id):
        self._write(ctxt, 'POST', 'attachments/%s/action'
                    % _quote(attachment_id), json={'os-complete': None},
                    ok=(204,), attachment_id=attachment_id)

    def attachment_delete(self, ctxt, attachment_id):
        """Detach; an attachment already gone counts as deleted."""
        try:
            self._write(ctxt, 'DELETE', 'attachments/%s'
                        % _quote(attachment_id), ok=(200, 204),
                        attachment_id=attachment_id)
        except exception.VolumeAttachmentNotFound:
            LOG.info('Attachment %s was already deleted', attachment_id)

    # -- HTTP --------------------------------------------------------------

    def _read(self, ctxt, path, **ids):
        attempts = self.conf.cinder.http_retries + 1
        for attempt in range(attempts):
            url = '%s/%s' % (self.endpoint(ctxt), path)
            try:
                resp = self._send(ctxt, 'GET', url)
            except (ks_exc.ConnectionError,
                    ks_exc.RetriableConnectionFailure) as err:
                LOG.warning('Volume API %s unreachable (attempt %d of %d): '
                            '%s', url, attempt + 1, attempts, err)
                last = err
                continue
            return self._answer(url, resp, (200,), ids)
        raise exception.VolumeServiceUnavailable(url=url, reason=str(last))

    def _write(self, ctxt, method, path, ok, json=None, **ids):
        url = '%s/%s' % (self.endpoint(ctxt), path)
        extra = {} if json is None else {'json': json}
        try:
            resp = self._send(ctxt, method, url, **extra)
        except ks_exc.ClientException as err:
            raise exception.VolumeServiceUnavailable(url=url,
                                                     reason=str(err))
        return self._answer(url, resp, ok, ids)

    def _send(self, ctxt, method, url, **extra):
        headers = {'OpenStack-API-Version': 'volume ' + MICROVERSION}
        if ctxt is not None and not ctxt.auth_token:
            # A noauth cloud's caller: Cinder's noauth reads who asks
            # from the token text, as our API's noauth2 does.
            headers['X-Auth-Token'] = '%s:%s' % (ctxt.user_id or 'admin',
                                                 ctxt.project_id)
        headers.update(self._service_headers())
        return service_session.send(self.session, url, ctxt, method,
                                    headers=headers, **extra)

    def _service_headers(self):
        """[service_user]'s token beside the caller's, when configured."""
        if not self.conf.service_user.send_service_user_token:
            return {}
        if self._service_user is None:
            self._service_user = service_session.load(self.conf,
                                                      'service_user')
        if self._service_user.auth is None:
            # Nothing checks tokens (auth_type none): state the role
            # keystonemiddleware would have found in a service token.
            return {'X-Service-Roles': 'service'}
        try:
            token = self._service_user.get_token()
        except ks_exc.ClientException as err:
            raise exception.VolumeServiceUnavailable(
                url='the identity service', reason='no service token: %s'
                % err)
        return {'X-Service-Token': token}

    @staticmethod
    def _answer(url, resp, ok, ids):
        code = resp.status_code
        if code == 404 and 'attachment_id' in ids:
            raise exception.VolumeAttachmentNotFound(**ids)
        if code == 404 and 'volume_id' in ids:
            raise exception.VolumeNotFound(volume_id=ids['volume_id'])
        if code in (401, 403):
            raise exception.VolumeNotAuthorized(url=url, code=code)
        if 400 <= code < 500:
            raise exception.Invalid(reason='the volume service refused: %s'
                                    % _fault(resp))
        if code not in ok:
            raise exception.VolumeServiceUnavailable(
                url=url, reason='it answered %d' % code)
        if code == 204 or not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            raise exception.VolumeServiceUnavailable(
                url=url, reason='its answer is not JSON')


def _translated(attachment):
    """The attachment with its connection_info in the shape the volume
    drivers take, {'driver_volume_type': ..., 'data': {...}}: the
    attachments API answers it flat, the type among the data."""
    flat = attachment.get('connection_info')
    if flat and 'data' not in flat:
        data = {k: v for k, v in flat.items()
                if k not in ('driver_volume_type', 'attachment_id')}
        attachment = dict(attachment, connection_info={
            'driver_volume_type': flat.get('driver_volume_type'),
            'data': data})
    return attachment


def _quote(value):
    return urllib.parse.quote(str(value), safe='')


def _fault(resp):
    """Cinder's message from an error body ({"badRequest": {"message":
    ...}}), else the start of the text."""
    try:
        body = resp.json()
        (fault,) = body.values()
        return str(fault['message'])[:300]
    except (ValueError, AttributeError, TypeError, KeyError):
        return '%d %s' % (resp.status_code, resp.text[:200])
