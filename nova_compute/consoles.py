"""Where a guest's remote console is, for the conductor to hand out a
token for (docs/consoles.md): the checks Nova's compute makes (the
console type, the console enabled here, the guest running), then the
driver's host and port, with the proxy URL clients are to use."""

from common import exception
from common import states
from common.conf import CONF

VNC_TYPES = ('novnc', 'xvpvnc')


def _check_active(instance):
    if instance.get('vm_state') not in states.CONSOLE_VM_STATES:
        raise exception.InstanceNotReady(instance_id=instance['uuid'])


def vnc(driver, instance, console_type):
    """{'host', 'port', 'internal_access_path', 'access_url_base'} of the
    instance's VNC server, for nova-novncproxy."""
    if console_type not in VNC_TYPES:
        raise exception.ConsoleTypeInvalid(console_type=console_type)
    if console_type != 'novnc' or not CONF.vnc.enabled:
        # xvpvnc's proxy is gone from Nova; a disabled VNC likewise.
        raise exception.ConsoleTypeUnavailable(console_type=console_type)
    _check_active(instance)
    where = driver.get_vnc_console(instance)
    return dict(where, internal_access_path=None,
                access_url_base=CONF.vnc.novncproxy_base_url)


def serial(driver, instance, console_type):
    """The same for the instance's TCP serial port (nova-serialproxy)."""
    if console_type != 'serial':
        raise exception.ConsoleTypeInvalid(console_type=console_type)
    if not CONF.serial_console.enabled:
        raise exception.ConsoleTypeUnavailable(console_type=console_type)
    _check_active(instance)
    where = driver.get_serial_console(instance)
    return dict(where, internal_access_path=None,
                access_url_base=CONF.serial_console.base_url)
