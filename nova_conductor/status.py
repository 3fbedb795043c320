"""nova-status: is this deployment ready for an upgrade, or done with one?

    nova-status [--config-file nova.conf] upgrade check [--json]

Run on a controller (it reads the database, as nova-manage does). Each
check answers Success, Warning or Failure with details; the exit code
is the worst of them, as Nova's: 0 success, 1 warning (look before you
go on), 2 failure (do not go on), 255 the check itself broke.

- Database schema: at the head of this release's migrations.
- Service versions: what each daemon reported when it registered
  (common/service_version.py): daemons older than this release need
  `[upgrade_levels]` pins until they are upgraded; older than the oldest
  this release supports, or newer than it, they cannot work with it.
- Configuration: options set in the config files that are deprecated
  for removal, or unknown in nova's own sections (misspelt or removed).
"""

import collections
import configparser
import sys

from oslo_config import cfg
from oslo_log import log as oslo_log
from oslo_upgradecheck import upgradecheck

from common import service_version
from common.conf import CONF
from common.conf import opts as nova_opts
from nova_conductor.db import migration
from nova_conductor.db import session

Code = upgradecheck.Code
Result = upgradecheck.Result
# Hosts named in a warning, at most: the rest are counted.
NAMED_HOSTS = 5


def _hosts_text(hosts):
    hosts = sorted(hosts)
    text = ', '.join(hosts[:NAMED_HOSTS])
    if len(hosts) > NAMED_HOSTS:
        text += ' and %d more' % (len(hosts) - NAMED_HOSTS)
    return text


def check_schema(_self=None):
    try:
        current, head = migration.db_version(), migration.head()
    except Exception as error:
        return Result(Code.FAILURE, 'Cannot read the database schema '
                      'version (%s: %s).' % (type(error).__name__,
                                             str(error).split('\n')[0]))
    if current == head:
        return Result(Code.SUCCESS, 'At %s, this release\'s head.' % head)
    return Result(Code.FAILURE, 'The schema is at %s, this release needs '
                  '%s: run `nova-manage db sync`.' % (
                      current or 'nothing (an empty database)', head))


def _services():
    import sqlalchemy as sa
    from nova_conductor.db import models
    svc = models.Service.__table__
    with session.reader() as s:
        return s.execute(sa.select(svc.c.host, svc.c.binary,
                                   svc.c.version)).all()


def check_service_versions(_self=None):
    try:
        rows = _services()
    except Exception as error:
        return Result(Code.FAILURE, 'Cannot read the services (%s).'
                      % type(error).__name__)
    if not rows:
        return Result(Code.SUCCESS, 'No service has registered yet.')
    by_binary = collections.defaultdict(
        lambda: collections.defaultdict(list))
    for host, binary, version in rows:
        by_binary[binary][version].append(host)
    ours = service_version.SERVICE_VERSION
    code = Code.SUCCESS
    notes = []
    for binary in sorted(by_binary):
        versions = by_binary[binary]
        notes.append('%s: %s.' % (binary, '; '.join(
            '%d at %s' % (len(hosts), service_version.describe(version))
            for version, hosts in sorted(versions.items(),
                                         key=lambda v: (v[0] is not None,
                                                        v[0] or 0)))))
        for version, hosts in versions.items():
            if version is None or version == ours:
                continue
            if version < service_version.MINIMUM_SUPPORTED:
                code = Code.FAILURE
                notes.append('%s on %s is older than this release supports '
                             '(version %d): upgrade it first.' % (
                                 binary, _hosts_text(hosts),
                                 service_version.MINIMUM_SUPPORTED))
            elif version < ours:
                code = max(code, Code.WARNING)
                compute_rpc = service_version.HISTORY.get(
                    version, (None, None, '?'))[2]
                notes.append('%s on %s runs an older release: keep '
                             '[upgrade_levels] compute = %s on the control '
                             'plane until it is upgraded.' % (
                                 binary, _hosts_text(hosts), compute_rpc))
            else:
                code = max(code, Code.WARNING)
                notes.append('%s on %s runs a newer release than this '
                             'nova-status.' % (binary, _hosts_text(hosts)))
        if None in versions:
            code = max(code, Code.WARNING)
            notes.append('%s on %s registered before services had '
                         'versions: restart it on this release.' % (
                             binary, _hosts_text(versions[None])))
    return Result(code, ' '.join(notes))


def _known_options():
    """{section: option names} of nova's own sections ([DEFAULT] also
    takes what oslo.log registered on CONF, and oslo.messaging's)."""
    import oslo_messaging.opts
    known = collections.defaultdict(set)
    for group, opts in nova_opts.list_opts():
        known[group].update(opt.dest for opt in opts)
    known['DEFAULT'].update(
        name for name in CONF
        if not isinstance(CONF[name], cfg.ConfigOpts.GroupAttr))
    for group, opts in oslo_messaging.opts.list_opts():
        if group is None:
            known['DEFAULT'].update(opt.dest for opt in opts)
    return known


def _file_options():
    """(file, section, option) of every option set in the config files."""
    found = []
    for path in CONF.config_file or ():
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read(path)
        except configparser.Error:
            continue  # oslo.config already refused to start on it
        for key in parser.defaults():
            found.append((path, 'DEFAULT', key))
        for section in parser.sections():
            for key in parser.options(section):
                if key not in parser.defaults():
                    found.append((path, section, key))
    return found


def check_options(_self=None):
    known = _known_options()
    deprecated = {}
    for group, opts in nova_opts.list_opts():
        for opt in opts:
            if opt.deprecated_for_removal:
                deprecated[(group, opt.dest)] = opt.deprecated_reason
    notes = []
    for path, section, key in _file_options():
        name = key.replace('-', '_')
        if (section, name) in deprecated:
            notes.append('[%s] %s in %s is deprecated for removal%s.' % (
                section, key, path, ': %s' % deprecated[(section, name)]
                if deprecated[(section, name)] else ''))
        elif section in known and name not in known[section]:
            notes.append('[%s] %s in %s is not an option of nova '
                         '(misspelt, or removed).' % (section, key, path))
    if notes:
        return Result(Code.WARNING, ' '.join(notes))
    return Result(Code.SUCCESS, 'No deprecated or unknown option is set.')


class UpgradeChecks(upgradecheck.UpgradeCommands):
    _upgrade_checks = (
        ('Database schema', check_schema),
        ('Service versions', check_service_versions),
        ('Configuration', check_options),
    )


_CHECKS = UpgradeChecks()
_registered = False


def main(argv=None):
    global _registered
    if not _registered:
        oslo_log.register_options(CONF)
        upgradecheck.register_cli_options(CONF, _CHECKS)
        _registered = True
    CONF(sys.argv[1:] if argv is None else argv, project='nova',
         description='Check that this deployment is ready for an upgrade.')
    if CONF.command.check != 'check':
        print('Unknown command %r: nova-status upgrade check [--json]'
              % CONF.command.check, file=sys.stderr)
        return 2
    session.configure(CONF.database.connection)
    # check() looks for --json on the CONF upgradecheck.main() would
    # have kept; this main parses the options itself.
    upgradecheck.CONF = CONF
    try:
        return upgradecheck.run(CONF)
    finally:
        session.dispose()


if __name__ == '__main__':
    sys.exit(main())
