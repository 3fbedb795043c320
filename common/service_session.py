"""A keystoneauth session for another OpenStack service, from its config
group, and requests sent through it as the service or as a caller.

The image (glance_client) and volume (cinder_client) clients share it.
"""

from keystoneauth1 import loading as ks_loading
from keystoneauth1 import noauth

# Seconds for one request when the group's `timeout` is unset.
DEFAULT_TIMEOUT = 60


def load(conf, group):
    """A session from [group]'s keystoneauth options; its auth is the
    service's own (None without an auth_type, or with `none`)."""
    auth = ks_loading.load_auth_from_conf_options(conf, group)
    if isinstance(auth, noauth.NoAuth):
        # Its placeholder token would name a user in noauth mode; no
        # token at all is the anonymous admin.
        auth = None
    return ks_loading.load_session_from_conf_options(conf, group, auth=auth)


def send(session, url, ctxt, method='GET', headers=None, **extra):
    """One request, never raising for its status code. With `ctxt`, it
    carries that caller's token (or none: noauth's anonymous admin),
    never the service's, and the caller's request id."""
    kwargs = dict(extra, raise_exc=False,
                  headers=dict({'Accept': 'application/json'},
                               **(headers or {})))
    if session.timeout is None and 'timeout' not in kwargs:
        kwargs['timeout'] = DEFAULT_TIMEOUT
    if ctxt is not None:
        kwargs['authenticated'] = False
        if ctxt.auth_token:
            kwargs['headers']['X-Auth-Token'] = ctxt.auth_token
        if ctxt.global_request_id or ctxt.request_id:
            kwargs['headers']['X-OpenStack-Request-ID'] = \
                ctxt.global_request_id or ctxt.request_id
    return session.request(url, method, **kwargs)


def register_opts(conf, group):
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_auth_conf_options(conf, group)


def list_opts():
    """The keystoneauth options a service group lists in the sample."""
    return (ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password'))
