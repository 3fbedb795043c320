"""Who signed an EC2 request: its access key, checked with SigV4.

With Keystone ([api] auth_strategy = keystone) the keys are Keystone's
EC2 credentials and Keystone's /v3/ec2tokens checks the signature; its
token says the user, project and roles. Without Keystone the keys are
our own (`nova-manage ec2 credentials create`), read through the
conductor and checked here with the same SigV4 code. Either way the
timestamp is checked here first, so a stale request costs no call.
"""

import logging
import threading
import time

import requests

from common import context as nova_context
from common import exception
from common.conf import CONF
from nova_api.ec2 import errors
from nova_api.ec2 import sigv4

LOG = logging.getLogger(__name__)
UNKNOWN_KEY = ('AWS was not able to validate the provided access '
               'credentials.')


class SignedRequest:
    """What signature checks read of a request: `headers` has lower-case
    names; `query` is the URL's (name, value) pairs."""

    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def claim(self):
        claim = sigv4.read_claim(self.headers, self.query)
        sigv4.check_time(claim)
        return claim

    def canonical(self, claim):
        return sigv4.canonical_request(self.method, self.path, self.query,
                                       self.headers, claim, self.body)


def noauth_roles(user_id):
    """noauth2's rule (nova_api/middleware.py): reader and member, and
    admin for the user named admin."""
    return ['reader', 'member'] + (['admin'] if user_id == 'admin' else [])


class LocalKeys:
    """Keys stored by the conductor, checked here."""

    def __init__(self, conductor_api):
        self.conductor = conductor_api
        self._cache = {}
        self._lock = threading.Lock()

    def _credential(self, access):
        ttl = CONF.ec2.credential_cache_seconds
        now = time.monotonic()
        with self._lock:
            found = self._cache.get(access)
        if found and now - found[0] < ttl:
            return found[1]
        try:
            credential = self.conductor.ec2_credential_get(
                nova_context.get_admin_context(), access)
        except exception.NotFound:
            raise errors.AuthFailure(UNKNOWN_KEY)
        with self._lock:
            if len(self._cache) > 10000:
                self._cache.clear()
            self._cache[access] = (now, credential)
        return credential

    def authenticate(self, request, request_id):
        claim = request.claim()
        credential = self._credential(claim.access)
        sigv4.verify(credential['secret'], claim, request.canonical(claim))
        roles = noauth_roles(credential['user_id'])
        return nova_context.RequestContext(
            user_id=credential['user_id'],
            project_id=credential['project_id'], roles=roles,
            is_admin='admin' in roles, request_id=request_id)


def keystone_url():
    if CONF.ec2.keystone_ec2_tokens_url:
        return CONF.ec2.keystone_ec2_tokens_url
    from keystonemiddleware import auth_token  # registers its options
    del auth_token
    base = (CONF.keystone_authtoken.www_authenticate_uri or '').rstrip('/')
    if not base:
        raise errors.ServiceUnavailable(
            'The EC2 API cannot check signatures: set [ec2] '
            'keystone_ec2_tokens_url or [keystone_authtoken] '
            'www_authenticate_uri.')
    if base.endswith('/v3'):
        base = base[:-3]
    return base + '/v3/ec2tokens'


class KeystoneKeys:
    """Keystone's EC2 credentials, checked by Keystone."""

    def __init__(self):
        self.http = requests.Session()

    def authenticate(self, request, request_id):
        claim = request.claim()
        headers = {name: request.headers[name]
                   for name in claim.signed_headers}
        # Keystone reads these two by their usual spelling.
        for name in ('Authorization', 'X-Amz-Date'):
            if name.lower() in request.headers:
                headers[name] = request.headers[name.lower()]
        import hashlib
        credentials = {
            'access': claim.access, 'signature': claim.signature,
            'host': request.headers.get('host', ''),
            'verb': request.method, 'path': request.path or '/',
            'params': dict(request.query), 'headers': headers,
            'body_hash': hashlib.sha256(request.body).hexdigest()}
        try:
            resp = self.http.post(
                keystone_url(), json={'credentials': credentials},
                timeout=30)
        except requests.RequestException as error:
            LOG.warning('Keystone did not answer an ec2tokens check: %s',
                        error)
            raise errors.ServiceUnavailable(
                'The identity service could not check the signature.')
        if resp.status_code in (401, 403, 404):
            message = _keystone_message(resp)
            if 'signature' in message.lower():
                raise errors.SignatureDoesNotMatch(
                    'The request signature we calculated does not match '
                    'the signature you provided.')
            raise errors.AuthFailure(UNKNOWN_KEY)
        if resp.status_code >= 300:
            LOG.warning('Keystone answered an ec2tokens check with %s: %s',
                        resp.status_code, resp.text[:300])
            raise errors.ServiceUnavailable(
                'The identity service could not check the signature.')
        token = resp.json()['token']
        roles = [role['name'] for role in token.get('roles') or ()]
        project = token.get('project') or {}
        if not project.get('id'):
            raise errors.AuthFailure('The EC2 credential is not scoped to '
                                     'a project.')
        return nova_context.RequestContext(
            user_id=token['user']['id'], project_id=project['id'],
            roles=roles, is_admin='admin' in roles,
            auth_token=resp.headers.get('X-Subject-Token'),
            request_id=request_id)


def _keystone_message(resp):
    try:
        return str(resp.json()['error']['message'])
    except (ValueError, KeyError, TypeError):
        return ''


def authenticator(conductor_api):
    if CONF.api.auth_strategy == 'keystone':
        return KeystoneKeys()
    return LocalKeys(conductor_api)
