"""MaxResults and NextToken over the caller's servers: live ones oldest
first, then those terminated within the hour, each page read from the
Compute API by marker, and kept only when the action's filter matches."""

import base64
import binascii
import json

from nova_api.ec2 import errors
from nova_api.ec2 import servers as ec2_servers


# Without MaxResults an answer holds everything, as AWS's does, up to
# this many (then a NextToken): a bound on one answer's work.
UNASKED = 10000


def max_results(params, minimum, maximum, wanted=None):
    value = params.get('MaxResults')
    if value is None:
        return UNASKED
    if wanted:
        raise errors.InvalidParameterCombination(
            'The parameter instancesSet cannot be used with the parameter '
            'maxResults')
    if not minimum <= value <= maximum:
        raise errors.InvalidParameterValue(
            'MaxResults must be from %d to %d.' % (minimum, maximum))
    return value


def encode(state):
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def decode(token, keys):
    """The state a NextToken carries; InvalidParameterValue if it is not
    one of ours."""
    if token is None:
        return None
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        state = None
    if not isinstance(state, dict) or set(state) != set(keys) or \
            not all(isinstance(v, str) for v in state.values()):
        raise errors.InvalidParameterValue('The NextToken is not valid.')
    return state


def servers(call, token, limit, keep):
    """(servers, NextToken or None): up to `limit` servers `keep` keeps."""
    state = decode(token, ('phase', 'marker')) or {'phase': 'live',
                                                   'marker': ''}
    if state['phase'] not in ('live', 'gone'):
        raise errors.InvalidParameterValue('The NextToken is not valid.')
    out = []
    phase, marker = state['phase'], state['marker'] or None
    while True:
        want = max(limit - len(out), 1)
        if phase == 'live':
            page, more = ec2_servers.list_page(call, marker,
                                               limit=min(want, 1000))
        else:
            page, more = ec2_servers.list_page(
                call, marker, limit=min(want, 1000), status='DELETED',
                **{'changes-since': ec2_servers.terminated_since()})
        for server in page:
            if keep(server):
                out.append(server)
        marker = more
        if not marker:
            if phase == 'gone':
                return out, None
            phase = 'gone'
        if len(out) >= limit:
            return out, encode({'phase': phase, 'marker': marker or ''})
