"""What the deployment says: the API's servers and hypervisors (sampled
during a burst too), and the domains each nova-compute really has."""

import threading
import time

import requests

PAGE = 1000


class ApiReader:
    """GETs on one keep-alive session; every 5xx answer is kept as a
    finding, and a daemon restarting (connection refused) is waited out."""

    def __init__(self, api_url, token='admin:admin', patience=60.0):
        self.api_url = api_url
        self.session = requests.Session()
        self.session.headers['X-Auth-Token'] = token
        self.patience = patience
        self.server_errors = []  # (method, path, status, body)
        self._lock = threading.Lock()

    def request(self, method, path, **kwargs):
        deadline = time.monotonic() + self.patience
        while True:
            try:
                resp = self.session.request(method, self.api_url + path,
                                            timeout=60, **kwargs)
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
                continue
            if resp.status_code >= 500:
                with self._lock:
                    self.server_errors.append(
                        (method, path, resp.status_code, resp.text[:300]))
            return resp

    def get(self, path):
        resp = self.request('GET', path)
        resp.raise_for_status()
        return resp.json()

    def servers(self):
        """Every server of the admin project, whatever its state (paged
        with markers, so a thousand more still come back)."""
        found, marker = [], None
        while True:
            path = '/v2.1/servers/detail?limit=%d' % PAGE
            if marker:
                path += '&marker=%s' % marker
            page = self.get(path)['servers']
            found.extend(page)
            if len(page) < PAGE:
                return found
            marker = page[-1]['id']

    def hypervisors(self):
        """{host: hypervisor detail}: usage, totals and state."""
        return {h['service']['host']: h for h in
                self.get('/v2.1/os-hypervisors/detail')['hypervisors']}


def over_commit(hypervisors, ratios):
    """Lines naming every hypervisor whose usage exceeds its totals times
    the allocation ratios (`ratios`: cpu, ram, disk)."""
    found = []
    for host, hyp in sorted(hypervisors.items()):
        for used, total, ratio in (('vcpus_used', 'vcpus', ratios['cpu']),
                                   ('memory_mb_used', 'memory_mb',
                                    ratios['ram']),
                                   ('local_gb_used', 'local_gb',
                                    ratios['disk'])):
            if hyp[used] > hyp[total] * ratio:
                found.append('%s: %s %s > %s x %s' % (
                    host, used, hyp[used], hyp[total], ratio))
    return found


class HypervisorSampler(threading.Thread):
    """Reads os-hypervisors/detail every `interval` seconds while a burst
    runs: usage must never, not merely not at the end, exceed capacity.
    It reads the first page of servers too, as a dashboard polls, so a
    read the fault breaks shows as the API's 5xx."""

    def __init__(self, api_url, ratios, interval=0.5):
        super().__init__(daemon=True, name='hypervisor-sampler')
        self.reader = ApiReader(api_url)
        self.ratios = ratios
        self.interval = interval
        self.samples = 0
        self.over_commit = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                found = over_commit(self.reader.hypervisors(), self.ratios)
                self.reader.request('GET', '/v2.1/servers/detail?limit=50')
                self.samples += 1
                self.over_commit.extend(f for f in found
                                        if f not in self.over_commit)
            except (requests.RequestException, ValueError, KeyError):
                pass  # the API restarting: the next sample will tell
            self.stopped.wait(self.interval)

    def stop(self):
        self.stopped.set()
        self.join()


class DomainProbe:
    """Asks each nova-compute, over the deployment's own RabbitMQ vhost,
    which domains its hypervisor has (compute RPC list_instance_uuids).

    The client gets a transport of its own: the test process may hold
    another one (a unit test's fake://) in common.rpc's module global.
    """

    def __init__(self, transport_url, timeout=15):
        import oslo_messaging as messaging

        from common import context as nova_context
        from common import rpc
        from common.conf import CONF
        from nova_compute import rpcapi as compute_rpcapi
        self.transport = messaging.get_rpc_transport(
            CONF, url=transport_url,
            allowed_remote_exmods=rpc.ALLOWED_EXMODS)
        saved, rpc.TRANSPORT = rpc.TRANSPORT, self.transport
        try:
            self.api = compute_rpcapi.ComputeAPI(timeout=timeout)
        finally:
            rpc.TRANSPORT = saved
        self.ctxt = nova_context.get_admin_context()

    def domains(self, host):
        return set(self.api.list_instance_uuids(self.ctxt, host))

    def wait_answering(self, host, timeout=60):
        """Block until nova-compute on `host` serves RPC again (after a
        restart: its start-up recovery and first power sync are done)."""
        from common import exception
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.domains(host)
            except exception.ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise

    def close(self):
        self.transport.cleanup()
