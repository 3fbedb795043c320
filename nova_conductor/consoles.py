"""Remote consoles (docs/consoles.md): the conductor asks the instance's
compute where its console is, hands out a one-time token for it, and
later answers a proxy's "where does this token lead?" exactly once."""

import logging
import secrets
import urllib.parse

from common import exception
from common import states
from common.conf import CONF
from nova_conductor.db import console_tokens
from nova_conductor.db import instances as instances_db

LOG = logging.getLogger(__name__)
# Nova's console types by protocol; each protocol's compute call.
TYPES = {'vnc': ('novnc', 'xvpvnc'), 'serial': ('serial',),
         'spice': ('spice-html5', 'spice-direct'), 'rdp': ('rdp-html5',),
         'mks': ('webmks',)}
# What this cloud's compute can tell (libvirt: VNC and a serial port).
SERVED = {'vnc': 'get_vnc_console', 'serial': 'get_serial_console'}


def console_url(base, console_type, token):
    """The URL a client opens: noVNC takes the websocket path (with the
    token) in `path`, the serial proxy the token itself."""
    if console_type == 'novnc':
        query = {'path': '?token=%s' % token}
    else:
        query = {'token': token}
    parts = urllib.parse.urlsplit(base)
    extra = urllib.parse.urlencode(query, quote_via=urllib.parse.quote,
                                   safe='')
    query = '&'.join(q for q in (parts.query, extra) if q)
    return urllib.parse.urlunsplit(parts._replace(query=query))


def get_console(compute_api, context, instance_uuid, protocol, console_type):
    """{'protocol', 'type', 'url'} of a new console of the instance."""
    if console_type not in TYPES.get(protocol, ()):
        raise exception.ConsoleTypeInvalid(console_type=console_type)
    instance = instances_db.get(instance_uuid)
    if protocol not in SERVED:
        raise exception.ConsoleNotImplemented(console_type=protocol)
    if instance['vm_state'] not in states.CONSOLE_VM_STATES or \
            not instance.get('host'):
        raise exception.InstanceNotReady(instance_id=instance_uuid)
    where = getattr(compute_api, SERVED[protocol])(
        context, instance['host'], instance, console_type)
    token = secrets.token_urlsafe(32)
    console_tokens.create(
        token, CONF.consoleauth.token_ttl, console_type=console_type,
        host=where['host'], port=int(where['port']),
        internal_access_path=where.get('internal_access_path'),
        instance_uuid=instance_uuid,
        access_url_base=where['access_url_base'])
    LOG.info('Console %s of %s handed out (token valid %ss)', console_type,
             instance_uuid, CONF.consoleauth.token_ttl)
    return {'protocol': protocol, 'type': console_type,
            'url': console_url(where['access_url_base'], console_type,
                               token)}


def _still_there(found):
    """A token's console, unless its instance is gone or no longer
    active (its ports may belong to another guest by now)."""
    if found is None:
        return None
    try:
        instance = instances_db.get(found['instance_uuid'])
    except exception.InstanceNotFound:
        return None
    if instance['vm_state'] not in states.CONSOLE_VM_STATES:
        return None
    return found


def consume(token, console_type=None):
    """A proxy's connect: the token's console, once; InvalidToken when
    the token is unknown, expired, used, or for another console type."""
    if not isinstance(token, str) or not 0 < len(token) <= 255:
        raise exception.InvalidToken()
    found = _still_there(console_tokens.consume(token))
    if found is None or (console_type and
                         found['console_type'] != console_type):
        raise exception.InvalidToken()
    return found


def show(token):
    """An admin's look at a live token (os-console-auth-tokens); the
    token stays usable."""
    if not isinstance(token, str) or not 0 < len(token) <= 255:
        raise exception.InvalidToken()
    found = console_tokens.get(token)
    if found is None:
        raise exception.InvalidToken()
    return found
