"""Turns --os-* options, OS_* variables and clouds.yaml into HTTP clients.

openstacksdk's config loader merges the three the way the OpenStack tools
do; keystoneauth1 then makes the session. Two modes:
- keystone (password, token...): endpoints come from the catalog;
- noauth: auth_type "none" (or "admin_token") with an endpoint, where the
  token, if any, is the "user:project" text nova-lite's noauth API reads.
"""

import os
import urllib.parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exc
from openstack import config as os_config
from openstack import exceptions as os_exc

from nova_cli import http

NOAUTH_TYPES = ('none', 'noauth', 'admin_token', 'token_endpoint')
# Every command asks for this version unless it names another: the shapes
# the CLI parses are the 2.1 ones.
COMPUTE_MICROVERSION = '2.1'
# Options that go to the config loader, by their argparse dest.
OPTION_NAMES = (
    'os_cloud', 'os_auth_type', 'os_auth_url', 'os_endpoint', 'os_token',
    'os_username', 'os_user_id', 'os_password', 'os_project_name',
    'os_project_id', 'os_user_domain_name', 'os_project_domain_name',
    'os_region_name', 'os_interface', 'os_compute_endpoint_override',
    'os_image_endpoint_override', 'os_cacert', 'os_insecure',
)


class ConfigError(Exception):
    """The options do not describe a cloud the CLI can talk to."""


def _loader_args(options):
    args = {}
    for name in OPTION_NAMES:
        value = getattr(options, name, None)
        if value not in (None, ''):
            args[name] = value
    # An endpoint and nothing that names Keystone or a cloud: noauth.
    def given(name):
        return name in args or os.environ.get(name.upper())
    if (given('os_endpoint') and not given('os_auth_type') and
            not given('os_auth_url') and not given('os_cloud')):
        args['os_auth_type'] = 'none'
    return args


def load(options):
    """The merged CloudRegion for these options."""
    loader = os_config.OpenStackConfig()
    args = _loader_args(options)
    try:
        # First without validation: the auth plugin is chosen below.
        draft = loader.get_one(validate=False, **args)
        auth_type = draft.config.get('auth_type')

        def draft_value(key):
            # Unvalidated, auth keys may sit inside "auth" or beside it.
            return ((draft.config.get('auth') or {}).get(key) or
                    draft.config.get(key))
        if auth_type in ('none', 'noauth') and draft_value('token'):
            # keystoneauth's "none" plugin takes no token; "admin_token" is
            # the same fixed endpoint with a token header.
            args['os_auth_type'] = 'admin_token'
        if not auth_type or (auth_type == 'password' and
                             not draft_value('auth_url')):
            raise ConfigError(
                'No cloud configured: set --os-cloud (clouds.yaml), '
                '--os-auth-url (Keystone) or --os-endpoint (noauth), or '
                'the matching OS_* variables.')
        return loader.get_one(**args)
    except (os_exc.ConfigException, ks_exc.ClientException) as e:
        raise ConfigError(str(e))


def is_noauth(region):
    return region.config.get('auth_type') in NOAUTH_TYPES


def compute_root(url):
    """The v2.1 base of a compute endpoint given with or without it."""
    parts = urllib.parse.urlsplit(url.rstrip('/'))
    if '/v2' not in parts.path:
        return url.rstrip('/') + '/v2.1'
    return url.rstrip('/')


def image_root(url):
    """A Glance endpoint without its version: requests name /v2/..."""
    url = url.rstrip('/')
    return url[:-3] if url.endswith('/v2') else url


def noauth_project(region):
    """The project a noauth token names; noauth's default is admin."""
    token = (region.config.get('auth') or {}).get('token') or ''
    user, _, project = token.partition(':')
    return project or user or 'admin'


class Cloud:
    """Lazily built session and per-service clients for one command run."""

    def __init__(self, options):
        self.options = options
        self._region = None
        self._session = None

    @property
    def region(self):
        if self._region is None:
            self._region = load(self.options)
        return self._region

    @property
    def session(self):
        if self._session is None:
            try:
                self._session = self.region.get_session()
            except ks_exc.ClientException as e:
                raise ConfigError(str(e))
            if self.region.config.get('auth_type') in ('none', 'noauth'):
                # keystoneauth's NoAuth sends the token "notused", which
                # noauth APIs read as a user; send no token at all.
                self._session.auth = None
        return self._session

    def _adapter(self, service_type, endpoint):
        return adapter.Adapter(
            self.session, service_type=service_type,
            interface=self.region.get_interface(service_type),
            region_name=self.region.get_region_name(service_type),
            endpoint_override=endpoint)

    def _endpoint(self, service_type):
        """An explicit override, or in noauth mode the one endpoint; None
        lets keystoneauth look the service up in the catalog."""
        override = self.region.config.get('%s_endpoint_override'
                                          % service_type)
        if override or not is_noauth(self.region):
            return override
        return (self.region.config.get('auth') or {}).get('endpoint')

    def compute(self):
        endpoint = self._endpoint('compute')
        if endpoint:
            endpoint = compute_root(endpoint)
        return http.ApiClient(self._adapter('compute', endpoint),
                              microversion=COMPUTE_MICROVERSION)

    def image(self):
        endpoint = self.region.config.get('image_endpoint_override')
        if not endpoint and is_noauth(self.region):
            # No catalog: nova-api serves Glance v2 under /image.
            parts = urllib.parse.urlsplit(self._endpoint('compute') or '')
            endpoint = '%s://%s/image' % (parts.scheme, parts.netloc)
        if endpoint:
            endpoint = image_root(endpoint)
        return http.ApiClient(self._adapter('image', endpoint))

    def project_id(self):
        if is_noauth(self.region):
            return noauth_project(self.region)
        return self.session.get_project_id()
