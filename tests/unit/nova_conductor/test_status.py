"""nova-status upgrade check: each check's verdict, the table, the exit
codes (0 success, 1 warning, 2 failure), on a real SQLite database."""

import json

import pytest

from common import service_version
from common.conf import CONF
from nova_conductor import status
from nova_conductor.db import compute as compute_db
from nova_conductor.db import migration
from nova_conductor.db import session

Code = status.Code


def run(tmp_path, capsys, conf_text, *extra):
    conf = tmp_path / 'nova.conf'
    conf.write_text(conf_text)
    try:
        code = status.main(['--config-file', str(conf), 'upgrade', 'check'] +
                           list(extra))
    finally:
        CONF.reset()
        CONF.clear()
    return code, capsys.readouterr().out


def conf_for(db_url, extra=''):
    return '[database]\nconnection = %s\n%s' % (db_url, extra)


@pytest.fixture
def synced(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'nova.sqlite')
    session.configure(url)
    migration.db_sync()
    yield url
    session.dispose()


def test_an_empty_database_fails_the_schema_check(tmp_path, capsys):
    url = 'sqlite:///%s' % (tmp_path / 'empty.sqlite')
    code, out = run(tmp_path, capsys, conf_for(url), '--json')
    assert code == Code.FAILURE
    checks = {c['check']: c for c in json.loads(out)['checks']}
    assert checks['Database schema']['result'] == Code.FAILURE
    assert 'run `nova-manage db sync`' in checks['Database schema'][
        'details']
    assert 'nothing (an empty database)' in checks['Database schema'][
        'details']


def test_a_current_deployment_passes(tmp_path, capsys, synced):
    for host in ('c1', 'c2'):
        compute_db.service_heartbeat(
            host, 'nova-compute', 'compute',
            version=service_version.SERVICE_VERSION)
    code, out = run(tmp_path, capsys, conf_for(synced))
    assert code == Code.SUCCESS, out
    assert 'Check: Database schema' in out and 'Result: Success' in out
    assert 'nova-compute: 2 at version %d' % (
        service_version.SERVICE_VERSION) in ' '.join(out.split())


def test_an_unversioned_or_older_compute_warns_and_one_too_old_fails(
        tmp_path, capsys, synced, monkeypatch):
    ours = service_version.SERVICE_VERSION
    compute_db.service_heartbeat('c1', 'nova-compute', 'compute',
                                 version=ours)
    compute_db.service_heartbeat('c2', 'nova-compute', 'compute')
    result = status.check_service_versions()
    assert result.code == Code.WARNING
    assert 'registered before services had versions' in result.details
    assert 'c2' in result.details
    # One release newer code: c1 is now the older one, and needs a pin.
    monkeypatch.setattr(service_version, 'SERVICE_VERSION', ours + 1)
    monkeypatch.setitem(service_version.HISTORY, ours + 1,
                        ('0.2.0', '1.30', '1.13', '1.3'))
    result = status.check_service_versions()
    assert result.code == Code.WARNING
    assert ('nova-compute on c1 runs an older release: keep '
            '[upgrade_levels] compute = %s' % service_version.HISTORY[
                ours][2]) in result.details
    # Older than the oldest supported: do not go on.
    monkeypatch.setattr(service_version, 'MINIMUM_SUPPORTED', ours + 1)
    result = status.check_service_versions()
    assert result.code == Code.FAILURE
    assert 'older than this release supports' in result.details


def test_many_lagging_hosts_are_counted_not_all_named(synced):
    for i in range(12):
        compute_db.service_heartbeat('c%02d' % i, 'nova-compute', 'compute')
    result = status.check_service_versions()
    assert 'c00, c01, c02, c03, c04 and 7 more' in result.details


def test_deprecated_and_unknown_options_warn(tmp_path, capsys, synced,
                                             monkeypatch):
    from common.conf import opts as nova_opts
    [(_, scheduler_opts)] = [g for g in nova_opts.list_opts()
                             if g[0] == 'scheduler']
    opt = [o for o in scheduler_opts if o.dest == 'max_attempts'][0]
    monkeypatch.setattr(opt, 'deprecated_for_removal', True)
    monkeypatch.setattr(opt, 'deprecated_reason', 'retries are automatic')
    code, out = run(tmp_path, capsys, conf_for(
        synced, '[DEFAULT]\ndebug = true\ntransport_url = rabbit://\n'
                'scheduler_drivr = x\n[scheduler]\nmax_attempts = 3\n'
                '[keystone_authtoken]\nanything = 1\n'), '--json')
    assert code == Code.WARNING
    details = {c['check']: c for c in json.loads(out)['checks']}[
        'Configuration']['details']
    assert '[DEFAULT] scheduler_drivr' in details
    assert ('[scheduler] max_attempts in %s is deprecated for removal: '
            'retries are automatic.' % (tmp_path / 'nova.conf')) in details
    # debug (oslo.log), transport_url (oslo.messaging) and other
    # projects' sections are not nova's to judge.
    for fine in ('debug', 'transport_url', 'anything'):
        assert '] %s ' % fine not in details
