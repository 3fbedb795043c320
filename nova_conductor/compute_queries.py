"""What only a compute host can tell: a guest's console output and
diagnostics, the host's uptime. The conductor finds the host and asks."""

import logging

from nova_conductor import lifecycle
from nova_conductor.db import instances as instances_db

LOG = logging.getLogger(__name__)


def console_output(compute_api, context, instance_uuid, tail_length=None):
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'getConsoleOutput')
    return compute_api.get_console_output(
        context, instance['host'], instance, tail_length)


def diagnostics(compute_api, context, instance_uuid, standard=False):
    """In the driver's own keys, or with `standard` Nova's standard
    diagnostics (2.48)."""
    instance = instances_db.get(instance_uuid)
    lifecycle.check_host(instance, 'diagnostics')
    if standard:
        return compute_api.get_instance_diagnostics(
            context, instance['host'], instance)
    return compute_api.get_diagnostics(context, instance['host'], instance)


def host_uptime(compute_api, context, host):
    """The host's uptime line, or None when its compute is down."""
    if not lifecycle.compute_is_up(host):
        return None
    try:
        return compute_api.get_host_uptime(context, host)
    except Exception:
        LOG.warning('Could not read the uptime of %s', host, exc_info=True)
        return None
