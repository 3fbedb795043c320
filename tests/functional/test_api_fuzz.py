"""Property-based fuzzing of every API route and method (issue 16).

One nova-all-in-one (noauth, SQLite, in-process messaging) is seeded with
real objects; then every route of nova-api's router, with every method,
gets requests built by hypothesis from the route's declared request
schema (nova_api/validation.py): valid bodies and mutations of them,
real and hostile path parameters, query strings and headers. Every
answer must be below 500, a 4xx must carry its API's error body, no body
may show a traceback or SQL, and a 2xx body must be JSON. After the run
the process is alive, the main lists still answer 200 (no stored value
breaks a read), and its memory grew by less than RSS_GROWTH_MB.

Deterministic by default (hypothesis' derandomize): a failure comes back
on every run. NOVA_FUZZ_SEED=random explores new requests and prints its
seed; NOVA_FUZZ_SEED=<n> replays that run; NOVA_FUZZ_EXAMPLES=<factor>
scales the number of requests. A failure prints the request as a curl
command line and the API's log lines written while it was served.
"""

import collections
import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest
import requests as http
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import Phase
from hypothesis import seed as hypothesis_seed
from hypothesis import settings
from hypothesis import strategies as st

from tests import api_routes
from tests.functional import api_fuzz
from tests.functional import fuzz_http

BIN = os.path.dirname(sys.executable)
APP = api_routes.falcon_app()
ROUTES = api_routes.routes(APP)
# Changes (DELETE) last, so the seeded objects live through the rest.
PAIRS = sorted([(route, method) for route in ROUTES
                for method in api_fuzz.METHODS],
               key=lambda pair: (pair[1] == 'DELETE', pair[0].template))
PAIRS_SERVED = [(route.template, route.methods) for route in ROUTES]
SCALE = float(os.environ.get('NOVA_FUZZ_EXAMPLES', '1'))
SEED = os.environ.get('NOVA_FUZZ_SEED')
if SEED == 'random':
    SEED = str(random.randrange(2 ** 32))
# The growth allowed across the run, after a warm-up pass over every
# route. What the run stores (servers, their test-driver domains, key
# pairs, flavors, images, actions) and the allocator's arenas grow with
# it: measured 16-20 MB over the default 16,500 requests and 28-32 MB
# over 65,000, while 18,000 requests of a fixed mix of reads, 404s and
# 400s grew 1 MB after their first 3,000 (no per-request leak). A leak
# of even 4 KB per request would pass 64 MB.
RSS_GROWTH_MB = 64
# Lists every caller reads, then the admin's: none may fail on a value
# the run stored.
READS = ['/v2.1/servers/detail', '/v2.1/os-keypairs', '/v2.1/flavors/detail',
         '/image/v2/images', '/v2.1/images/detail', '/v2.1/limits',
         '/v2.1/os-server-groups']
ADMIN_READS = ['/v2.1/servers/detail?all_tenants=1', '/v2.1/os-aggregates',
               '/v2.1/os-server-groups?all_projects=1', '/v2.1/os-services',
               '/v2.1/os-hypervisors/detail', '/v2.1/os-keypairs']
MEMBER = 'maria:proj-a:member,reader'


def _examples(route, method):
    """Requests per route and method: more where there is more to find,
    by declared body shape (actions); few for a method the route refuses
    (a 405 whatever the rest)."""
    if method not in route.methods:
        count = 10
    else:
        spec = api_routes.declared(route, method)
        shapes = len(spec.bodies((2, 1))) if spec is not None and \
            spec.kind == 'json' else 0
        count = 180 + 60 * min(shapes, 8) if shapes else 100
    return max(1, int(count * SCALE))


class AllInOne:
    """The process under test, its client and what it was seeded with."""

    def __init__(self, state_dir):
        self.state_dir = state_dir
        self.failures = 0
        conf = state_dir / 'fuzz.conf'
        # Few servers per create: an admin may lift its own quota, and
        # a thousand-server create would measure the build, not the API.
        conf.write_text('[api]\nmax_servers_per_request = 3\n')
        self.log_path = state_dir / 'all-in-one.log'
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(
            [os.path.join(BIN, 'nova-all-in-one'), '--port', '0',
             '--metadata-port', '0', '--ec2-port', '0',
             '--serial-proxy-port', '0',
             '--novnc-proxy-port', '0',
             '--state-dir', str(state_dir / 'state'), '--config-file',
             str(conf), '--host-vcpus', '4', '--host-memory-mb', '4096'],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.url = self._wait_for_banner()
        host, port = self.url.split('//')[1].split(':')
        self.client = fuzz_http.Client(host, int(port))
        self.known = {}
        # (method, template) -> Counter of statuses, for the summary.
        self.statuses = collections.defaultdict(collections.Counter)

    def _wait_for_banner(self):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            found = re.search(r'Compute API: (http://\S+)/v2\.1/',
                              self.log_path.read_text())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.proc.kill()
        raise AssertionError('no banner:\n' + self.log_path.read_text())

    def rss_mb(self):
        return psutil.Process(self.proc.pid).memory_info().rss / 2 ** 20

    def call(self, method, path, body=None, token=None, version='2.1',
             expect=(200, 201, 202, 204)):
        headers = {'OpenStack-API-Version': 'compute ' + version}
        if token:
            headers['X-Auth-Token'] = token
        resp = http.request(method, self.url + path, json=body,
                            headers=headers, timeout=60)
        assert resp.status_code in expect, (method, path, resp.text)
        return resp.json() if resp.content else None

    def send(self, req):
        """(response, the API's log written meanwhile)."""
        offset = self.log_path.stat().st_size
        try:
            resp = self.client.send(req)
        except Exception as error:
            raise AssertionError('no answer (%s: %s)\n%s\nlog:\n%s' % (
                type(error).__name__, error,
                req.curl(self.url, self._body_file()),
                self._log_since(offset))) from None
        return resp, offset

    def _body_file(self):
        self.failures += 1
        return str(self.state_dir / ('failed-%d.body' % self.failures))

    def _log_since(self, offset):
        with open(self.log_path, errors='replace') as f:
            f.seek(offset)
            return f.read()[-6000:]

    def report(self, req, resp, offset, found):
        return '%s\nreplay:\n  %s\nanswer: %d %s\n%s\nlog:\n%s' % (
            '; '.join(found), req.curl(self.url, self._body_file()),
            resp.status,
            json.dumps({k: v for k, v in resp.headers.items()
                        if k in ('content-type', 'connection')}),
            resp.body[:3000].decode('utf-8', 'replace'),
            self._log_since(offset))

    def stop(self):
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def _seed(api):
    """Real objects, so path parameters and body fields can name them."""
    image = api.call('GET', '/v2.1/images')['images'][0]['id']
    flavor = api.call('POST', '/v2.1/flavors', {'flavor': {
        'name': 'fuzz', 'id': 'fuzz', 'ram': 64, 'vcpus': 1, 'disk': 0}})
    api.call('POST', '/v2.1/flavors/fuzz/os-extra_specs',
             {'extra_specs': {'hw:cpu_policy': 'shared'}})
    api.call('POST', '/v2.1/flavors', {'flavor': {
        'name': 'fuzz-private', 'id': 'fuzz-private', 'ram': 64, 'vcpus': 1,
        'disk': 0, 'os-flavor-access:is_public': False}})
    api.call('POST', '/v2.1/flavors/fuzz-private/action',
             {'addTenantAccess': {'tenant': 'proj-a'}})
    host = api.call('GET', '/v2.1/os-services')['services']
    host = [s['host'] for s in host if s['binary'] == 'nova-compute'][0]
    agg = api.call('POST', '/v2.1/os-aggregates', {'aggregate': {
        'name': 'fuzz', 'availability_zone': 'fuzz-az'}})['aggregate']
    api.call('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
             {'add_host': {'host': host}})
    api.call('POST', '/v2.1/os-aggregates/%s/action' % agg['id'],
             {'set_metadata': {'metadata': {'k': 'v'}}})
    api.call('POST', '/v2.1/os-keypairs', {'keypair': {'name': 'fuzz'}})
    api.call('POST', '/v2.1/os-keypairs', {'keypair': {'name': 'fuzz'}},
             token=MEMBER)
    group = api.call('POST', '/v2.1/os-server-groups', {'server_group': {
        'name': 'fuzz', 'policies': ['anti-affinity']}})['server_group']
    glance = api.call('POST', '/image/v2/images', {
        'name': 'fuzz', 'disk_format': 'qcow2', 'container_format': 'bare',
        'os_distro': 'cirros'})
    servers = []
    for token in (None, MEMBER):
        created = api.call('POST', '/v2.1/servers', {'server': {
            'name': 'fuzz', 'flavorRef': flavor['flavor']['id'],
            'imageRef': image, 'key_name': 'fuzz',
            'metadata': {'k': 'v'}}}, token=token)
        servers.append(created['server']['id'])
    deadline = time.monotonic() + 60
    for server in servers:
        while api.call('GET', '/v2.1/servers/%s' % server)['server'][
                'status'] != 'ACTIVE':
            assert time.monotonic() < deadline, 'seed server not ACTIVE'
            time.sleep(0.1)
        api.call('PUT', '/v2.1/servers/%s/tags' % server, {'tags': ['t1']},
                 version='2.26')
    actions = api.call('GET', '/v2.1/servers/%s/os-instance-actions'
                       % servers[0])['instanceActions']
    nodes = api.call('GET', '/v2.1/os-hypervisors')['hypervisors']
    nodes += api.call('GET', '/v2.1/os-hypervisors',
                      version='2.53')['hypervisors']
    services = api.call('GET', '/v2.1/os-services')['services']
    services += api.call('GET', '/v2.1/os-services',
                         version='2.53')['services']
    api.known = {
        'server_id': servers, 'flavor_id': ['1', 'fuzz', 'fuzz-private'],
        'aggregate_id': [agg['id']], 'image_id': [image, glance['id']],
        'group_id': [group['id']], 'name': ['fuzz'],
        'key': ['k', 'hw:cpu_policy'],
        'tag': ['t1'], 'project_id': ['admin', 'proj-a'],
        'hypervisor_id': [n['id'] for n in nodes],
        'service_id': [s['id'] for s in services],
        'request_id': [a['request_id'] for a in actions],
        'host': [host], 'zone': ['nova', 'fuzz-az'],
        'host_name': [host], 'tenant_id': ['admin', 'proj-a'],
        'network_id': [n['id'] for n in api.call(
            'GET', '/v2.1/os-networks')['networks']],
        # Not 'default': that class is every project's quota.
        'class_name': ['fuzz-class'],
        'before_timestamp': ['2026-01-01 00:00:00'],
    }


def _first_example(strategy):
    """The simplest value hypothesis draws first, without shrinking
    (hypothesis.find would shrink, for seconds per schema)."""
    found = []

    @settings(max_examples=1, phases=[Phase.generate], database=None,
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def take(value):
        found.append(value)

    take()
    return found[0]


def _warm_up(api):
    """One simple request per route and method, so the baseline RSS has
    every code path's modules and caches loaded."""
    for route, method in PAIRS:
        if method == 'DELETE':
            continue
        path = route.template
        for name in route.params:
            values = api.known.get(name) or ['x']
            path = path.replace('{%s}' % name,
                                api_fuzz.wire_text(str(values[0])))
        spec = api_routes.declared(route, method) \
            if method in route.methods else None
        body = None
        if spec is not None and spec.kind == 'json':
            for params, schema in spec.bodies((2, 1)):
                body = json.dumps(_first_example(
                    api_fuzz.schema_bodies(schema))).encode()
                route_path = path
                for name, value in params.items():
                    route_path = route_path.replace(
                        '{%s}' % name, value)
                api.client.send(fuzz_http.Request(
                    method, route_path, headers={
                        'Content-Type': 'application/json'}, body=body))
            continue
        api.client.send(fuzz_http.Request(method, path))


@pytest.fixture(scope='module')
def api(tmp_path_factory):
    started = time.monotonic()
    api = AllInOne(tmp_path_factory.mktemp('api-fuzz'))
    try:
        _seed(api)
        _warm_up(api)
        api.baseline_mb = api.rss_mb()
        yield api
        _summary(api, time.monotonic() - started)
    finally:
        api.stop()


def _summary(api, seconds):
    served = sum(len(r.methods) for r in ROUTES)
    answered = collections.Counter()
    for counts in api.statuses.values():
        answered.update(counts)
    never = sorted('%s %s' % key for key, counts in api.statuses.items()
                   if key[0] in dict(PAIRS_SERVED).get(key[1], ()) and
                   not counts[2])
    print('\nAPI fuzzer (NOVA_FUZZ_SEED=%s): %d routes, %d route-methods '
          'served (%d pairs with the refused ones), %d requests in %.0f s '
          '(%s); RSS %.1f MB after warm-up, %.1f MB at the end; served '
          'methods never answered 2xx: %s' % (
              SEED or 'derandomized', len(ROUTES), served, len(PAIRS),
              api.client.sent, seconds,
              ', '.join('%dxx: %d' % item
                        for item in sorted(answered.items())),
              api.baseline_mb, api.rss_mb(), ', '.join(never) or 'none'))


def _check_reads(api):
    for path, token in [(p, t) for p in READS for t in ('admin:admin',
                                                        MEMBER)] + [
            (p, 'admin:admin') for p in ADMIN_READS]:
        resp = http.get(api.url + path, timeout=60,
                        headers={'X-Auth-Token': token})
        assert resp.status_code == 200, (path, token, resp.text[:2000])
        resp.json()


def _settings(count):
    return settings(max_examples=count, derandomize=SEED is None,
                    database=None, deadline=None, print_blob=False,
                    suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize('route, method', PAIRS, ids=[
    '%s %s' % (method, route.template) for route, method in PAIRS])
def test_every_answer_is_below_500_in_its_apis_shape_without_leaks(
        api, route, method):
    prefixes = ['admin', 'proj-a', 'p' * 300, '..', 'v2.1']

    @_settings(_examples(route, method))
    @given(st.data())
    def one_request(data):
        req = data.draw(api_fuzz.http_requests(route, method, api.known,
                                               prefixes), label='request')
        resp, offset = api.send(req)
        api.statuses[method, route.template][resp.status // 100] += 1
        found = fuzz_http.problems(req, resp)
        assert not found, api.report(req, resp, offset, found)

    if SEED is not None:
        one_request = hypothesis_seed(int(SEED))(one_request)
    one_request()
    assert api.proc.poll() is None, 'nova-all-in-one died'
    if method in route.methods and method in api_routes.BODY_METHODS:
        # What this route stored must not break a read.
        _check_reads(api)


@pytest.mark.parametrize('prefix', api_routes.static_prefixes(APP))
def test_static_files_answer_hostile_paths_without_5xx(api, prefix):
    @_settings(int(30 * SCALE) or 1)
    @given(st.one_of(
        st.sampled_from(['../../../../etc/passwd', '..%2F..%2Fetc%2Fpasswd',
                         '%2e%2e/%2e%2e/etc/passwd', '/etc/passwd',
                         '....//....//etc/passwd', 'js/../../web.py',
                         '%00', 'index.html%00.js', '']),
        st.text(max_size=40).map(api_fuzz.wire_text)))
    def one_request(suffix):
        req = fuzz_http.Request('GET', '%s/%s' % (prefix, suffix))
        resp, offset = api.send(req)
        found = fuzz_http.problems(req, resp)
        if b'root:' in resp.body or b'import ' in resp.body:
            found.append('a file outside the static folder was served')
        assert not found, api.report(req, resp, offset, found)

    one_request()


def test_the_process_is_alive_and_every_list_still_reads(api):
    assert api.proc.poll() is None
    _check_reads(api)


def test_memory_stays_bounded(api):
    grown = api.rss_mb() - api.baseline_mb
    assert grown < RSS_GROWTH_MB, (
        'RSS grew %.1f MB (from %.1f MB) over %d requests'
        % (grown, api.baseline_mb, api.client.sent))
