"""After a burst and its fault: settle, then check what must hold, and
report every breach precisely (which server, which host, what message).

The invariants (issue 16):
- 0 stuck: every server the API accepted ends ACTIVE or ERROR in time;
- 0 lost: with room for all (the tests size the hosts so), every 202
  becomes ACTIVE; a guest that died with its killed test-driver host is
  counted apart, as the documented loss it is;
- no server the client was refused, none twice under one name;
- 0 over-commit, sampled during the burst and at the end, and each
  hypervisor's usage equal to the flavors of the servers placed on it;
- each compute's domains are exactly the ACTIVE servers of its host;
- no 5xx from the API, to the clients or to the checks;
- after deleting everything: no usage, no fixed IP, no domain left.
"""

import collections
import concurrent.futures
import time

import requests
import sqlalchemy as sa

from tests.functional.faults import burst as burst_mod
from tests.functional.faults import probe as probe_mod

FINAL = ('ACTIVE', 'ERROR', 'SHUTOFF')
USAGE = (('vcpus_used', 'vcpus'), ('memory_mb_used', 'ram'),
         ('local_gb_used', 'disk'))
# Lines of detail kept per finding in a report.
DETAIL = 5


def _names(servers):
    return ', '.join(sorted(s['name'] for s in servers)[:DETAIL])


class Report:
    """Figures and findings of one fault run; `findings()` empty = pass."""

    def __init__(self, kind, backend, burst, faults, deadline,
                 expect_unknown=False):
        self.kind = kind
        self.backend = backend
        self.burst = burst
        self.faults = list(faults)
        self.answers = burst.counts()
        self.accepted = len(burst.accepted())
        self.active = self.error = self.lost_with_host = 0
        self.unknown_created = 0
        self.stuck, self.lost, self.phantom = [], [], []
        self.over_commit, self.usage_mismatch = [], []
        self.orphan, self.missing, self.duplicate_domains = [], [], []
        self.duplicate_ips, self.unreachable = [], []
        self.api_5xx = []
        self.not_freed = []
        self.fault_errors = []  # injections that themselves failed
        self.machine_cpu_s = self.wall_s = None
        self.settle_s = None
        self.delete_s = None
        self.deadline = deadline
        # Creates may go unanswered only when the fault kills nova-api.
        self.expect_unknown = expect_unknown

    # -- what failed -------------------------------------------------------

    def findings(self):
        found = []

        def add(items, what):
            if items:
                found.append('%d %s: %s' % (len(items), what, '; '.join(
                    str(i) for i in items[:DETAIL])))
        add(self.stuck, 'stuck (not ACTIVE/ERROR %s s after the burst)'
            % self.deadline)
        add(self.lost, 'lost (accepted, room for all, not ACTIVE)')
        add(self.phantom, 'servers the client was refused or got twice')
        add(self.over_commit, 'over-commit')
        add(self.usage_mismatch, 'usage not equal to the servers placed')
        add(self.orphan, 'orphan domains (no ACTIVE server of the host)')
        add(self.missing, 'ACTIVE servers without a domain')
        add(self.duplicate_domains, 'domains on two hosts')
        add(self.duplicate_ips, 'fixed IPs held twice')
        add(self.unreachable, 'computes not answering')
        add(self.api_5xx, 'API 5xx answers')
        slow = self.burst.slow()
        add(['%s %ss -> %s' % (a.name, round(a.elapsed), a.status)
             for a in slow], 'creates held over %ds' % burst_mod.SLOW_CREATE)
        unknown = self.answers[burst_mod.UNKNOWN] + \
            self.answers[burst_mod.TIMEOUT]
        if unknown and not self.expect_unknown:
            add([n for n, s, _d in self.burst.errors()
                 if s in (burst_mod.UNKNOWN, burst_mod.TIMEOUT)],
                'creates without an answer')
        add(self.not_freed, 'left after deleting everything')
        add(self.fault_errors, 'fault injections that failed')
        return found

    def summary(self):
        answers = ' '.join('%s:%d' % kv for kv in sorted(self.answers.items()))
        return ('%s on %s: %d boots, answers %s; ACTIVE %d, ERROR %d, '
                'stuck %d, lost %d, died with host %d, unknown->created %d; '
                'over-commit %d, orphan/dup domains %d/%d, API 5xx %d; '
                'settled in %s s, deleted in %s s; faults: %s' % (
                    self.kind, self.backend, self.burst.count, answers,
                    self.active, self.error, len(self.stuck), len(self.lost),
                    self.lost_with_host, self.unknown_created,
                    len(self.over_commit), len(self.orphan),
                    len(self.duplicate_domains), len(self.api_5xx),
                    _round(self.settle_s), _round(self.delete_s),
                    '; '.join(self.faults) or 'none'))

    def text(self):
        return '\n'.join([self.summary()] + ['  - ' + f
                                             for f in self.findings()])


def _round(value):
    return None if value is None else round(value, 1)


class Checker:
    """Checks one deployment; `ratios` are its allocation ratios."""

    def __init__(self, dep, reader, probe, ratios, deadline=75):
        self.dep = dep
        self.reader = reader
        self.probe = probe
        self.ratios = ratios
        self.deadline = deadline
        self._flavors = None

    def flavors(self):
        if self._flavors is None:
            self._flavors = {f['id']: f for f in
                             self.reader.get('/v2.1/flavors/detail')
                             ['flavors']}
        return self._flavors

    # -- settle ------------------------------------------------------------

    def settle(self, burst):
        """Poll until every server of the burst is in a final state (and
        every accepted one is listed), or the deadline passes. Returns
        the whole server list and the seconds it took after the burst."""
        accepted = burst.accepted()
        prefix = burst.prefix + '-'
        deadline = time.monotonic() + self.deadline
        while True:
            servers = self.reader.servers()
            mine = [s for s in servers if s['name'].startswith(prefix)]
            listed = {s['id'] for s in mine}
            busy = [s for s in mine if s['status'] not in FINAL]
            if (not busy and set(accepted) <= listed) or \
                    time.monotonic() > deadline:
                return servers, time.monotonic() - burst.finished
            time.sleep(0.5)

    def await_power_sync(self, servers, lost_hosts, timeout=60):
        """A killed test-driver host comes back with none of its guests;
        its power sync then marks them stopped one by one (a few ms each,
        so some seconds for hundreds). Wait until no ACTIVE server of
        such a host lacks its domain, or `timeout`; the fresh list."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            domains, _unreachable = self._domains()
            if not any(s['status'] == 'ACTIVE' and
                       s.get('OS-EXT-SRV-ATTR:host') in lost_hosts and
                       s['id'] not in domains.get(
                           s.get('OS-EXT-SRV-ATTR:host'), ())
                       for s in servers):
                break
            time.sleep(0.5)
            servers = self.reader.servers()
        return servers

    # -- checks ------------------------------------------------------------

    def check(self, burst, faults=(), sampler=None, lost_hosts=(),
              expect_unknown=False):
        faults = list(faults)
        report = Report(
            ' + '.join(sorted({f.kind for f in faults})) or 'no fault',
            self.dep.backend, burst,
            [line for f in faults for line in f.injected], self.deadline,
            expect_unknown)
        servers, report.settle_s = self.settle(burst)
        if report.settle_s > self.deadline:
            report.settle_s = None  # never settled
        if lost_hosts:
            servers = self.await_power_sync(servers, set(lost_hosts))
        self._check_servers(report, burst, servers, set(lost_hosts))
        hypervisors = self.reader.hypervisors()
        report.over_commit = list(
            sampler.over_commit if sampler is not None else [])
        report.over_commit.extend(
            f for f in probe_mod.over_commit(hypervisors, self.ratios)
            if f not in report.over_commit)
        self._check_usage(report, servers, hypervisors)
        self._check_domains(report, servers)
        report.api_5xx = [
            '%s -> %s %s' % (name, status, detail[:120])
            for name, status, detail in burst.errors()
            if isinstance(status, int) and status >= 500]
        for reader in [self.reader] + ([sampler.reader] if sampler else []):
            report.api_5xx.extend('%s %s -> %s %s' % (m, p, s, b[:120])
                                  for m, p, s, b in reader.server_errors)
            reader.server_errors.clear()
        return report

    def _check_servers(self, report, burst, servers, lost_hosts):
        prefix = burst.prefix + '-'
        mine = [s for s in servers if s['name'].startswith(prefix)]
        by_id = {s['id']: s for s in mine}
        accepted = burst.accepted()
        unanswered = burst.unanswered_names()
        refused = burst.refused_names()
        per_name = collections.Counter(s['name'] for s in mine)
        for server_id, name in sorted(accepted.items()):
            server = by_id.get(server_id)
            if server is None:
                report.lost.append('%s %s vanished' % (name, server_id))
                continue
            self._classify(report, server, lost_hosts)
        for server in mine:
            name = server['name']
            if server['id'] in accepted:
                pass
            elif name in unanswered:
                report.unknown_created += 1
                self._classify(report, server, lost_hosts)
            elif name in refused:
                report.phantom.append('%s %s (%s) exists though its create '
                                      'got no 202' % (name, server['id'],
                                                      server['status']))
            else:
                report.phantom.append('%s %s (%s): no client asked for it'
                                      % (name, server['id'],
                                         server['status']))
            if per_name[name] > 1 and server['id'] not in accepted:
                report.phantom.append('%s %s (%s): a second server named so'
                                      % (name, server['id'],
                                         server['status']))
            if server['id'] not in accepted and name not in unanswered \
                    and server['status'] not in FINAL:
                report.stuck.append('%s %s/%s (a server no 202 announced)'
                                    % (name, server['status'],
                                       server.get('OS-EXT-STS:task_state')))
        ips = collections.Counter(
            addr['addr'] for s in servers if s['status'] == 'ACTIVE'
            for addrs in s['addresses'].values() for addr in addrs)
        report.duplicate_ips = ['%s x%d' % kv for kv in ips.items()
                                if kv[1] > 1]

    @staticmethod
    def _classify(report, server, lost_hosts):
        status = server['status']
        host = server.get('OS-EXT-SRV-ATTR:host')
        if status == 'ACTIVE':
            report.active += 1
        elif status == 'SHUTOFF' and host in lost_hosts:
            # The libvirt test driver keeps its domains in nova-compute's
            # memory: a killed host's guests die with it, and its power
            # sync marks them stopped.
            report.lost_with_host += 1
        elif status == 'ERROR':
            report.error += 1
            fault = (server.get('fault') or {}).get('message',
                                                    '(no fault)')
            report.lost.append('%s ERROR: %s' % (server['name'], fault))
        elif status in FINAL:
            report.lost.append('%s %s on %s' % (server['name'], status,
                                                host))
        else:
            report.stuck.append('%s %s/%s on %s' % (
                server['name'], status,
                server.get('OS-EXT-STS:task_state'), host))

    def _check_usage(self, report, servers, hypervisors):
        flavors = self.flavors()
        expected = {host: collections.Counter() for host in hypervisors}
        for server in servers:
            host = server.get('OS-EXT-SRV-ATTR:host')
            # ERROR frees what the build held; anything else placed holds.
            if host is None or server['status'] == 'ERROR':
                continue
            flavor = flavors[server['flavor']['id']]
            placed = expected.setdefault(host, collections.Counter())
            placed['vcpus_used'] += flavor['vcpus']
            placed['memory_mb_used'] += flavor['ram']
            placed['local_gb_used'] += flavor['disk'] + \
                flavor.get('OS-FLV-EXT-DATA:ephemeral', 0)
            placed['running_vms'] += 1
        for host, placed in sorted(expected.items()):
            hyp = hypervisors.get(host)
            if hyp is None:
                report.usage_mismatch.append('%s: servers placed on a host '
                                             'with no hypervisor' % host)
                continue
            for field in ('vcpus_used', 'memory_mb_used', 'local_gb_used',
                          'running_vms'):
                if hyp[field] != placed[field]:
                    report.usage_mismatch.append('%s: %s %s, servers %s' % (
                        host, field, hyp[field], placed[field]))

    def _domains(self):
        """({host: domain uuids}, [computes that did not answer])."""
        from common import exception
        found, unreachable = {}, []
        for host in self.dep.compute_hosts:
            try:
                found[host] = self.probe.domains(host)
            except exception.ServiceUnavailable as exc:
                unreachable.append('%s: %s' % (host, exc))
        return found, unreachable

    def _check_domains(self, report, servers):
        domains, report.unreachable = self._domains()
        by_id = {s['id']: s for s in servers}
        where = collections.defaultdict(list)
        for host, uuids in sorted(domains.items()):
            active = {s['id'] for s in servers if s['status'] == 'ACTIVE'
                      and s.get('OS-EXT-SRV-ATTR:host') == host}
            for uuid in sorted(uuids - active):
                server = by_id.get(uuid)
                report.orphan.append('%s on %s (%s)' % (
                    uuid, host, 'no server' if server is None else
                    '%s %s on %s' % (server['name'], server['status'],
                                     server.get('OS-EXT-SRV-ATTR:host'))))
            for uuid in sorted(active - uuids):
                report.missing.append('%s %s on %s' % (
                    by_id[uuid]['name'], uuid, host))
            for uuid in uuids:
                where[uuid].append(host)
        report.duplicate_domains = ['%s on %s' % (uuid, ', '.join(hosts))
                                    for uuid, hosts in sorted(where.items())
                                    if len(hosts) > 1]

    # -- after delete ------------------------------------------------------

    def delete_all(self, report=None, clients=8, timeout=90):
        """Delete every server, wait for them to go, and list what was
        not freed (usage, fixed IPs, domains) into `report.not_freed`."""
        t0 = time.monotonic()
        not_freed = []
        servers = self.reader.servers()

        def delete(server):
            resp = requests.delete(
                '%s/v2.1/servers/%s' % (self.dep.api, server['id']),
                headers={'X-Auth-Token': 'admin:admin'}, timeout=60)
            return server, resp.status_code, resp.text[:200]
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            for server, status, body in pool.map(delete, servers):
                if status != 204 and status != 404:
                    not_freed.append('DELETE %s (%s) -> %s %s' % (
                        server['name'], server['status'], status, body))
        deadline = time.monotonic() + timeout
        while True:
            left = self.reader.servers()
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if left:
            not_freed.append('%d servers not deleted in %ds: %s' % (
                len(left), timeout, _names(left)))
        for host, hyp in sorted(self.reader.hypervisors().items()):
            used = {f: hyp[f] for f in ('vcpus_used', 'memory_mb_used',
                                        'local_gb_used', 'running_vms')
                    if hyp[f]}
            if used:
                not_freed.append('%s still uses %s' % (host, used))
        ips = self._fixed_ips()
        if ips:
            not_freed.append('%d fixed IPs still allocated' % ips)
        domains, unreachable = self._domains()
        for host, uuids in sorted(domains.items()):
            if uuids:
                not_freed.append('%s still has %d domains: %s' % (
                    host, len(uuids), ', '.join(sorted(uuids)[:DETAIL])))
        not_freed.extend(unreachable)
        if report is not None:
            report.not_freed = not_freed
            report.delete_s = time.monotonic() - t0
        return not_freed

    def _fixed_ips(self):
        engine = sa.create_engine(self.dep.db_url)
        try:
            with engine.connect() as conn:
                return conn.exec_driver_sql(
                    'SELECT COUNT(*) FROM fixed_ips').scalar()
        finally:
            engine.dispose()
