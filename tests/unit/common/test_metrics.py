"""common.metrics: off by default, the recorded values in the exposition,
the HTTP endpoint, and a forking parent adding up its workers'."""

import os
import subprocess
import sys
import textwrap

import pytest
import requests
from prometheus_client import parser

from common import metrics
from common.conf import CONF

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def samples(text):
    """{(sample name, frozenset of labels): value} of an exposition."""
    found = {}
    for family in parser.text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = \
                sample.value
    return found


def value(text, name, **labels):
    return samples(text).get((name, frozenset(labels.items())))


@pytest.fixture
def enabled():
    CONF.set_override('enabled', True, group='metrics')
    metrics.reset()
    assert metrics.setup()
    yield
    metrics.reset()
    CONF.clear_override('enabled', group='metrics')


def test_off_by_default_every_call_is_a_no_op():
    metrics.reset()
    assert CONF.metrics.enabled is False
    assert metrics.setup() is False
    assert not metrics.enabled()
    metrics.inc('nova_boots_total', result='started')
    metrics.observe('nova_scheduler_seconds', 0.1)
    metrics.add('nova_compute_builds_in_flight', 1)
    with metrics.timed('nova_db_transaction_seconds', kind='read'):
        pass
    assert metrics.serve(0) is None


def test_recorded_values_are_in_the_exposition(enabled):
    metrics.inc('nova_boots_total', result='started')
    metrics.inc('nova_boots_total', 2, result='started')
    metrics.add('nova_compute_builds_in_flight', 2)
    metrics.add('nova_compute_builds_in_flight', -1)
    metrics.set_gauge('nova_hosts', 7, state='up')
    with pytest.raises(KeyError):
        with metrics.timed('nova_db_transaction_seconds', kind='write'):
            raise KeyError('timed even when it raised')
    body, content_type = metrics.exposition()
    assert content_type.startswith('text/plain; version=')
    text = body.decode()
    assert value(text, 'nova_boots_total', result='started') == 3
    assert value(text, 'nova_compute_builds_in_flight') == 1
    assert value(text, 'nova_hosts', state='up') == 7
    assert value(text, 'nova_db_transaction_seconds_count',
                 kind='write') == 1
    assert '_created' not in text


def test_setup_is_once_per_process(enabled):
    metrics.inc('nova_boots_total', result='failed')
    assert metrics.setup()
    text = metrics.exposition()[0].decode()
    assert value(text, 'nova_boots_total', result='failed') == 1


def test_every_definition_has_a_known_kind_and_bounded_labels():
    for name, (kind, text, labels, *rest) in metrics.DEFINITIONS.items():
        assert name.startswith('nova_') and text.endswith('.')
        assert kind in (metrics.COUNTER, metrics.GAUGE, metrics.HISTOGRAM)
        assert name.endswith('_total') == (kind == metrics.COUNTER)
        # Labels that grow with servers or requests are never used.
        assert not set(labels) & {'uuid', 'instance', 'path',
                                  'request_id', 'host'}


def test_the_endpoint_serves_metrics_and_nothing_else(enabled):
    CONF.set_override('listen', '127.0.0.1', group='metrics')
    server = metrics.serve(0)
    try:
        metrics.inc('nova_boots_total', result='started')
        base = 'http://127.0.0.1:%d' % server.server_port
        resp = requests.get(base + '/metrics', timeout=10)
        assert resp.status_code == 200
        assert value(resp.text, 'nova_boots_total', result='started') == 1
        assert requests.get(base + '/', timeout=10).status_code == 404
    finally:
        server.shutdown()
        server.server_close()
        CONF.clear_override('listen', group='metrics')


# A parent forking 3 workers under [metrics] enabled: each worker counts
# one started boot and one build in flight, then waits; the parent's
# endpoint adds them up, and forgets a dead worker's gauge.
POOL = textwrap.dedent('''
    import os, signal, sys, threading
    sys.path.insert(0, %(root)r)
    from common import daemon, metrics
    from common.conf import CONF
    daemon.parse_config([])
    CONF.set_override('enabled', True, group='metrics')

    def run_worker():
        metrics.setup()
        metrics.inc('nova_boots_total', result='started')
        metrics.add('nova_compute_builds_in_flight', 1)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        open(os.path.join(%(dir)r, str(os.getpid())), 'w').close()
        while not stop.wait(0.05):
            pass

    metrics.prepare_workers()
    server = metrics.serve(0)
    with open(os.path.join(%(dir)r, 'port'), 'w') as f:
        f.write(str(server.server_port))
    from common import workers
    try:
        sys.exit(workers.WorkerPool(3, run_worker, stop_timeout=10,
                                    on_exit=metrics.worker_exited).run())
    finally:
        metrics.forget_workers()
''')


def test_a_forking_parent_adds_up_its_workers(tmp_path):
    from tests.unit.common.test_workers import _pids, _wait_for
    import signal
    proc = subprocess.Popen([sys.executable, '-c', POOL % {
        'root': ROOT, 'dir': str(tmp_path)}])
    try:
        _wait_for(lambda: len(_pids(tmp_path)) == 3)
        port = (tmp_path / 'port').read_text()
        url = 'http://127.0.0.1:%s/metrics' % port

        def scrape():
            return requests.get(url, timeout=10).text
        _wait_for(lambda: value(scrape(), 'nova_boots_total',
                                result='started') == 3)
        assert value(scrape(), 'nova_compute_builds_in_flight') == 3
        # A worker killed: its count stays (counters only grow), its
        # in-flight builds do not; its replacement counts anew.
        os.kill(sorted(_pids(tmp_path))[0], signal.SIGKILL)
        _wait_for(lambda: value(scrape(), 'nova_boots_total',
                                result='started') == 4)
        assert value(scrape(), 'nova_compute_builds_in_flight') == 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_grafana_dashboard_charts_every_metric_and_no_other():
    import json
    import re
    with open(os.path.join(ROOT, 'etc', 'grafana',
                           'nova-dashboard.json')) as f:
        dashboard = json.load(f)
    exprs = [t['expr'] for p in dashboard['panels'] for t in p['targets']]
    used = set()
    for expr in exprs:
        for name in re.findall(r'\bnova_\w+', expr):
            used.add(re.sub(r'_(bucket|count|sum)$', '', name))
    assert used == set(metrics.DEFINITIONS)
    assert len({p['id'] for p in dashboard['panels']}) == len(
        dashboard['panels'])
