"""How values look: readable in tables, raw in -f json / -f yaml."""

import argparse

from cliff import columns

POWER_STATES = {0: 'NOSTATE', 1: 'Running', 3: 'Paused', 4: 'Shutdown',
                6: 'Crashed', 7: 'Suspended'}


class DictColumn(columns.FormattableColumn):
    """{"a": 1} shows as a='1' in a table."""

    def human_readable(self):
        return ', '.join("%s='%s'" % (k, v)
                         for k, v in sorted((self._value or {}).items()))


class ListColumn(columns.FormattableColumn):
    """["a", "b"] shows as a, b in a table."""

    def human_readable(self):
        return ', '.join(str(v) for v in self._value or [])


class LinesColumn(columns.FormattableColumn):
    """A list shown one item a line (items are already text)."""

    def __init__(self, value, lines):
        super().__init__(value)
        self._lines = lines

    def human_readable(self):
        return '\n'.join(self._lines)


class AddressesColumn(columns.FormattableColumn):
    """Server addresses as network=ip, ip; raw dict for machines."""

    def human_readable(self):
        return '; '.join(
            '%s=%s' % (net, ', '.join(a.get('addr', '') for a in addrs))
            for net, addrs in sorted((self._value or {}).items()))


class PowerStateColumn(columns.FormattableColumn):
    """Nova's power_state number shown by name."""

    def human_readable(self):
        return POWER_STATES.get(self._value, str(self._value))


def key_value(text):
    """argparse type for KEY=VALUE options."""
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(
            'expected KEY=VALUE, got %r' % text)
    return key, value


def dict_of(pairs):
    return dict(pairs or [])


def flavor_ref(server):
    """The flavor id of a server body: a link dict at 2.1, an embedded
    flavor from 2.47 (which has original_name and no id)."""
    flavor = server.get('flavor') or {}
    if not isinstance(flavor, dict):
        return str(flavor), None
    return flavor.get('id'), flavor.get('original_name')


def image_ref(server):
    image = server.get('image')
    if isinstance(image, dict):
        return image.get('id')
    return image or None


def name_and_id(name, ident):
    if name and ident and name != ident:
        return '%s (%s)' % (name, ident)
    return name or ident or ''
