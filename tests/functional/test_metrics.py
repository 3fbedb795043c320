"""Each daemon's Prometheus endpoint after a few boots: separate daemons
over RabbitMQ and PostgreSQL, a conductor forking two workers (their
values added up by its parent), two computes on the libvirt test driver.
"""

import pytest
import requests

from tests.functional import deployment as deployment_mod
from tests.unit.common.test_metrics import samples
from tests.unit.common.test_metrics import value

BOOTS = 3


@pytest.fixture(scope='module')
def dep():
    ports = {name: deployment_mod._free_port()
             for name in ('api', 'conductor', 'scheduler')}
    computes = ('compute1', 'compute2')
    compute_ports = {h: deployment_mod._free_port() for h in computes}
    d = deployment_mod.Deployment(
        'postgresql', compute_hosts=computes,
        extra_conf='[conductor]\nworkers = 2\n[metrics]\nenabled = true\n'
                   'api_port = %(api)d\nconductor_port = %(conductor)d\n'
                   'scheduler_port = %(scheduler)d\n' % ports,
        compute_conf={h: '[metrics]\ncompute_port = %d\n' % port
                      for h, port in compute_ports.items()})
    d.metrics_ports = dict(ports, **{
        '%s-%s' % (h, d.run_id): port for h, port in compute_ports.items()})
    d.start()
    yield d
    d.stop()


def scrape(dep, daemon):
    resp = requests.get('http://127.0.0.1:%d/metrics'
                        % dep.metrics_ports[daemon], timeout=10)
    assert resp.status_code == 200
    assert resp.headers['Content-Type'].startswith('text/plain')
    return resp.text


def test_counts_after_a_few_boots(dep):
    servers = [dep.boot('metered-%d' % i) for i in range(BOOTS)]
    # One the scheduler cannot place: flavor 5 is bigger than any host.
    refused = dep.boot('too-big', status='ERROR', flavorRef='5')
    assert 'No valid host' in refused['fault']['message']

    api = scrape(dep, 'api')
    assert value(api, 'nova_api_requests_total', method='POST',
                 route='/v2.1/servers', status='202') == BOOTS + 1
    assert value(api, 'nova_api_request_seconds_count', method='POST',
                 route='/v2.1/servers') == BOOTS + 1
    assert value(api, 'nova_api_requests_total', method='GET',
                 route='/v2.1/servers/{server_id}', status='200') >= BOOTS

    conductor = scrape(dep, 'conductor')
    assert value(conductor, 'nova_boots_total',
                 result='started') == BOOTS + 1
    assert value(conductor, 'nova_boots_total', result='failed') == 1
    assert value(conductor, 'nova_rpc_server_seconds_count',
                 topic='conductor', method='instance_get') >= BOOTS
    assert value(conductor, 'nova_db_transaction_seconds_count',
                 kind='write') > BOOTS
    # Both workers answered some of it: their values are added up.
    assert value(conductor, 'nova_db_transaction_seconds_count',
                 kind='read') > 0

    scheduler = scrape(dep, 'scheduler')
    assert value(scheduler, 'nova_scheduler_decisions_total',
                 result='placed') == BOOTS
    assert value(scheduler, 'nova_scheduler_decisions_total',
                 result='no_valid_host') == 1
    assert value(scheduler, 'nova_scheduler_no_valid_host_total',
                 filter='RamFilter') == 1
    assert value(scheduler, 'nova_scheduler_seconds_count') == BOOTS + 1
    assert value(scheduler, 'nova_hosts', state='up') == 2
    assert value(scheduler, 'nova_hosts', state='down') == 0

    succeeded = 0
    for host in dep.compute_hosts:
        text = scrape(dep, host)
        succeeded += value(text, 'nova_boots_total', result='succeeded') or 0
        assert value(text, 'nova_compute_builds_in_flight') == 0
        here = sum(1 for s in servers
                   if s['OS-EXT-SRV-ATTR:host'] == host)
        assert (value(text, 'nova_boot_seconds_count') or 0) == here
        if here:
            assert value(text, 'nova_libvirt_call_seconds_count',
                         call='connect.defineXML') == here
            assert value(text, 'nova_libvirt_call_seconds_count',
                         call='domain.create') == here
    assert succeeded == BOOTS


def test_series_stay_bounded_whatever_the_ids(dep):
    # Lookups of 30 different missing servers: one series, not 30.
    for i in range(30):
        assert dep.request('GET', '/v2.1/servers/%08d-0000-4000-8000-'
                           '000000000000' % i).status_code == 404
    api = scrape(dep, 'api')
    assert value(api, 'nova_api_requests_total', method='GET',
                 route='/v2.1/servers/{server_id}', status='404') == 30
    names = {name for name, _labels in samples(api)}
    assert not any('0000-4000' in str(labels)
                   for _name, labels in samples(api))
    assert 'nova_api_requests_total' in names
