"""[service_user]: the service's own identity, sent beside a user's token.

Nova's names. With send_service_user_token, requests this service makes
to Cinder for a user also carry a token of this user (X-Service-Token),
so the volume service knows a service is asking: it then lets a connected
attachment be deleted without asking Nova whether the instance still
uses it, and accepts the request after the user's token has expired.
"""

from oslo_config import cfg

from common import service_session

GROUP = 'service_user'

service_user_opts = [
    cfg.BoolOpt('send_service_user_token', default=False,
                help='Send a token of this service user with the user\'s '
                     'own on requests to other services. With auth_type '
                     '`none` (a noauth cloud, where no token is checked), '
                     'the service role is stated instead '
                     '(X-Service-Roles: service).'),
]


def register_opts(conf):
    conf.register_opts(service_user_opts, group=GROUP)
    service_session.register_opts(conf, GROUP)


def list_opts():
    return {GROUP: service_user_opts + service_session.list_opts()}
