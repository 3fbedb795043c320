"""The serial console of a simulated guest: a libvirt test-driver domain
runs no operating system, so at each boot the driver writes the lines a
booting guest would print to the file a real guest's console goes to,
and console output is read the same way for both."""

import datetime
import logging
import re

LOG = logging.getLogger(__name__)
# What could garble the log: control characters (a name stored before the
# API refused them), line and paragraph separators.
_UNSAFE = re.compile('[\x00-\x1f\x7f\u2028\u2029]')


def _text(value):
    return _UNSAFE.sub('?', str(value))


def boot_lines(instance, nodename, now=None):
    """The lines one boot of `instance` on `nodename` prints."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    hostname = _text(instance.get('hostname') or 'localhost')
    return [
        'nova-lite simulated guest: the libvirt test driver on %s runs no '
        'operating system; these lines stand in for its boot log.'
        % _text(nodename),
        '[    0.000000] Booting instance-%s (%s) at %s' % (
            instance['uuid'], _text(instance.get('display_name') or ''),
            now.strftime('%Y-%m-%dT%H:%M:%SZ')),
        '[    0.000000] %d vCPU, %d MiB RAM, image %s' % (
            int(instance.get('vcpus') or 0),
            int(instance.get('memory_mb') or 0),
            _text(instance.get('image_ref') or '-')),
        '[    0.100000] Hostname set to <%s>.' % hostname,
        '[    0.200000] Reached target Multi-User System.',
        '',
        '%s login: ' % hostname,
    ]


def write_boot(path, instance, nodename):
    """Append one boot's lines to the console log at `path`. A log that
    cannot be written costs the console output, not the boot."""
    text = '\n'.join(boot_lines(instance, nodename)) + '\n'
    try:
        with open(path, 'a', encoding='utf-8') as f:
            f.write(text)
    except OSError as err:
        LOG.warning('Cannot write the simulated console log %s: %s',
                    path, err)
