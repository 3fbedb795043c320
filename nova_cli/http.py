"""JSON requests over a keystoneauth1 adapter, API errors as one exception."""

import json

from keystoneauth1 import exceptions as ks_exc


class ApiError(Exception):
    """An error answer from the API; str() is the message the API gave."""

    def __init__(self, status, message, request_id=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.request_id = request_id


def error_message(status, body_text):
    """The message of a Nova (or Glance) error body, else a short text.

    Nova answers {"itemNotFound": {"code": 404, "message": "..."}}; Glance
    and proxies may answer plain text or other JSON.
    """
    try:
        body = json.loads(body_text)
    except (TypeError, ValueError):
        body = None
    if isinstance(body, dict):
        if len(body) == 1:
            [inner] = body.values()
            if isinstance(inner, dict) and inner.get('message'):
                return str(inner['message'])
        for key in ('message', 'title', 'error'):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    text = (body_text or '').strip()
    if text and len(text) < 500 and not text.startswith('<'):
        return text
    return 'HTTP %d' % status


class ApiClient:
    """get/post/put/delete on one service; JSON in, JSON (or None) out.

    Every request carries the client's microversion unless the call names
    another, so a command that depends on a shape asks for it explicitly.
    """

    def __init__(self, adapter, microversion=None):
        self.adapter = adapter
        self.microversion = microversion

    def request(self, method, url, body=None, microversion=None,
                headers=None, data=None, raw=False):
        kwargs = {'headers': dict(headers or {}), 'raise_exc': False}
        version = microversion or self.microversion
        if version:
            kwargs['microversion'] = version
        if body is not None:
            kwargs['json'] = body
        if data is not None:
            kwargs['data'] = data
        try:
            resp = self.adapter.request(url, method, **kwargs)
        except ks_exc.EndpointNotFound as e:
            raise ApiError(0, 'No %s endpoint: %s' % (
                self.adapter.service_type, e))
        except ks_exc.ConnectFailure as e:
            raise ApiError(0, 'Unable to connect: %s' % e)
        except ks_exc.ClientException as e:
            raise ApiError(0, str(e))
        if resp.status_code >= 400:
            raise ApiError(resp.status_code,
                           error_message(resp.status_code, resp.text),
                           resp.headers.get('x-openstack-request-id'))
        if raw:
            return resp
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise ApiError(resp.status_code,
                           'The API answered something that is not JSON.')

    def get(self, url, **kwargs):
        return self.request('GET', url, **kwargs)

    def post(self, url, body=None, **kwargs):
        return self.request('POST', url, body=body, **kwargs)

    def put(self, url, body=None, **kwargs):
        return self.request('PUT', url, body=body, **kwargs)

    def delete(self, url, **kwargs):
        return self.request('DELETE', url, **kwargs)
