"""Who signed an EC2 request: its access key, checked with SigV4.

With Keystone ([api] auth_strategy = keystone) the keys are Keystone's
EC2 credentials and Keystone's /v3/ec2tokens checks the signature, asked
as nova's service user ([keystone_authtoken]); the token it returns says
the user, project and roles. Without Keystone the keys are
our own (`nova-manage ec2 credentials create`), read through the
conductor and checked here with the same SigV4 code. Either way the
timestamp is checked here first, so a stale request costs no call.
"""

import hashlib
import logging
import threading
import time
import urllib.parse

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session

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


AUTHTOKEN = 'keystone_authtoken'
# Keystone hides why it refused (a wrong signature, a disabled user or
# project, no role left on the project: all one generic 401), so the
# common cause speaks for them, in the words of LocalKeys' check.
KEYSTONE_REFUSED = ('The request signature we calculated does not match '
                    'the signature you provided. Check your AWS Secret '
                    'Access Key and signing method.')
CANNOT_CHECK = 'The identity service could not check the signature.'


def _authtoken():
    """[keystone_authtoken], with keystonemiddleware's options (and
    keystoneauth's auth_type) registered."""
    from keystonemiddleware import auth_token  # registers its options
    del auth_token
    return CONF[AUTHTOKEN]


def keystone_url():
    if CONF.ec2.keystone_ec2_tokens_url:
        return CONF.ec2.keystone_ec2_tokens_url
    base = (_authtoken().www_authenticate_uri or '').rstrip('/')
    if not base:
        raise errors.ServiceUnavailable(
            'The EC2 API cannot check signatures: set [ec2] '
            'keystone_ec2_tokens_url or [keystone_authtoken] '
            'www_authenticate_uri.')
    if base.endswith('/v3'):
        base = base[:-3]
    return base + '/v3/ec2tokens'


def service_session():
    """A keystoneauth session as nova's service user ([keystone_authtoken]
    auth_type, username...: the user auth_token validates tokens as)."""
    group = _authtoken()
    auth = ks_loading.load_auth_from_conf_options(CONF, AUTHTOKEN)
    if auth is None:
        raise errors.ServiceUnavailable(
            'The EC2 API cannot check signatures: Keystone answers '
            '/v3/ec2tokens to service users only; set [keystone_authtoken] '
            'auth_type and the service user.')
    cert = group.certfile
    if cert and group.keyfile:
        cert = (cert, group.keyfile)
    return ks_session.Session(
        auth=auth, verify=False if group.insecure else (group.cafile or True),
        cert=cert, timeout=30)


def ec2tokens_claim(request, claim):
    """The body of a /v3/ec2tokens check: what keystoneclient's Ec2Signer
    rebuilds the canonical request from. Header values and the path are
    given as SigV4 canonicalises them (Ec2Signer takes them as they come);
    a presigned query is given without its signature, which SigV4 leaves
    out of the canonical query."""
    headers = {name: ' '.join(request.headers[name].split())
               for name in claim.signed_headers}
    # Ec2Signer reads these two by their usual spelling.
    for name in ('Authorization', 'X-Amz-Date'):
        if name.lower() in request.headers:
            headers[name] = request.headers[name.lower()]
    return {'credentials': {
        'access': claim.access, 'signature': claim.signature,
        'host': request.headers.get('host', ''), 'verb': request.method,
        'path': urllib.parse.quote(request.path or '/', safe='/-_.~'),
        'params': {k: v for k, v in request.query
                   if k != 'X-Amz-Signature'},
        'headers': headers,
        'body_hash': hashlib.sha256(request.body).hexdigest()}}


class KeystoneKeys:
    """Keystone's EC2 credentials, checked by Keystone's /v3/ec2tokens,
    asked as nova's service user: Keystone answers admin and service users
    only (identity:ec2tokens_validate)."""

    def __init__(self):
        self._session = None
        self._lock = threading.Lock()

    def _service(self):
        with self._lock:
            if self._session is None:
                self._session = service_session()
            return self._session

    def _ask(self, session, body):
        return session.post(keystone_url(), json=body, raise_exc=False,
                            allow_reauth=False)

    def _token_is_good(self, session):
        """Whether Keystone still takes our service token. Its 401 is the
        same for a wrong signature and a revoked service token."""
        url = keystone_url().rsplit('/ec2tokens', 1)[0] + '/auth/tokens'
        return session.head(url, headers={
            'X-Subject-Token': session.get_token()}, raise_exc=False,
            allow_reauth=False).status_code == 200

    def _check(self, body):
        session = self._service()
        # Not keystoneauth's own retry on a 401 (allow_reauth): it would
        # log the service user in again for every wrong signature.
        resp = self._ask(session, body)
        if resp.status_code == 401 and not self._token_is_good(session):
            session.invalidate()
            resp = self._ask(session, body)
        return resp

    def authenticate(self, request, request_id):
        claim = request.claim()
        try:
            resp = self._check(ec2tokens_claim(request, claim))
        except ks_exceptions.ClientException as error:
            # Keystone unreachable, or the service user's login refused.
            LOG.warning('Keystone did not answer an ec2tokens check: %s',
                        error)
            raise errors.ServiceUnavailable(CANNOT_CHECK)
        if resp.status_code == 404:
            raise errors.AuthFailure(UNKNOWN_KEY)
        if resp.status_code == 401:
            raise errors.SignatureDoesNotMatch(KEYSTONE_REFUSED)
        if resp.status_code != 200:
            # 403: the service user lacks the admin or service role.
            LOG.warning('Keystone answered an ec2tokens check with %s: %s',
                        resp.status_code, _keystone_message(resp) or
                        resp.text[:300])
            raise errors.ServiceUnavailable(CANNOT_CHECK)
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
