"""The faults, each scoped to one deployment: a kill -9 of a daemon (the
whole unit, or one conductor worker) restarted `RestartSec` later as
systemd would; the deployment's broker connections closed; its database
connections terminated. Nothing here touches another run's vhost or
database: other test runs share the broker and the SQL servers."""

import itertools
import os
import random
import signal
import subprocess
import threading
import time

import sqlalchemy as sa

# systemd units here restart a crashed daemon after RestartSec=2.
RESTART_SEC = 2.0


class Fault:
    """One kind of fault. `inject()` does it once and returns a line
    saying what it did; `lost_hosts` names the compute hosts it killed,
    whose test-driver guests died with them (a documented loss)."""

    kind = None

    def __init__(self, dep):
        self.dep = dep
        self.lost_hosts = set()
        self.injected = []

    def inject(self):
        line = self._inject()
        self.injected.append(line)
        return line

    def _inject(self):
        raise NotImplementedError


class KillDaemon(Fault):
    """kill -9 of a daemon and every process it forked, restarted
    RESTART_SEC later; `names` take turns, one per injection."""

    def __init__(self, dep, names, kind, probe=None):
        super().__init__(dep)
        self.kind = kind
        self.names = itertools.cycle(names)
        self.probe = probe

    def _inject(self):
        name = next(self.names)
        self.dep.kill(name, signal.SIGKILL, tree=True)
        time.sleep(RESTART_SEC)
        self.dep.restart(name)
        line = 'kill -9 %s, restarted %.0f s later' % (name, RESTART_SEC)
        if name in self.dep.compute_hosts:
            self.lost_hosts.add(name)
            if self.probe is not None:
                # Serving RPC again means its start-up recovery ran; its
                # first power sync starts at the same moment (it marks the
                # guests that died with it stopped): give it a moment.
                t0 = time.monotonic()
                self.probe.wait_answering(name)
                line += ', serving RPC %.1f s after that' % (
                    time.monotonic() - t0)
                time.sleep(1.0)
        return line


class KillConductorWorker(Fault):
    """kill -9 of one [conductor] worker process; its parent starts
    another (common/workers.py)."""

    kind = 'conductor worker'

    def __init__(self, dep, names=('conductor',)):
        super().__init__(dep)
        self.names = itertools.cycle(names)

    def _inject(self):
        name = next(self.names)
        pids = self.dep.worker_pids(name)
        if not pids:
            return 'no worker of %s to kill' % name
        pid = random.choice(pids)
        os.kill(pid, signal.SIGKILL)
        return 'kill -9 worker %d of %s' % (pid, name)


class CloseBrokerConnections(Fault):
    """RabbitMQ closes every connection of this deployment's vhost (each
    daemon's, and the test's own probe)."""

    kind = 'broker connections'

    def _inject(self):
        out = subprocess.run(
            ['rabbitmqctl', '-q', 'close_all_connections', '--vhost',
             self.dep.vhost, 'fault test: connections closed'],
            check=True, capture_output=True, text=True, timeout=60)
        return 'closed the connections of vhost %s %s' % (
            self.dep.vhost, out.stdout.strip())


class TerminateDatabaseConnections(Fault):
    """The SQL server drops every connection to this deployment's
    database (the conductors' pools)."""

    kind = 'database connections'

    def __init__(self, dep):
        super().__init__(dep)
        url = sa.engine.make_url(dep.db_url)
        self.database = url.database
        self.admin_url = url.set(
            database='postgres' if dep.backend == 'postgresql' else '')

    def _inject(self):
        engine = sa.create_engine(self.admin_url,
                                  isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                if self.dep.backend == 'postgresql':
                    killed = conn.execute(sa.text(
                        'SELECT count(pg_terminate_backend(pid)) FROM '
                        'pg_stat_activity WHERE datname = :db AND '
                        'pid <> pg_backend_pid()'),
                        {'db': self.database}).scalar()
                elif self.dep.backend == 'mysql':
                    ids = conn.execute(sa.text(
                        'SELECT id FROM information_schema.processlist '
                        'WHERE db = :db AND id <> CONNECTION_ID()'),
                        {'db': self.database}).scalars().all()
                    killed = 0
                    for conn_id in ids:
                        try:
                            conn.exec_driver_sql('KILL %d' % int(conn_id))
                            killed += 1
                        except sa.exc.DBAPIError:
                            pass  # it ended by itself meanwhile
                else:
                    raise ValueError('no server to terminate connections '
                                     'of on %s' % self.dep.backend)
        finally:
            engine.dispose()
        return 'terminated %d connections to database %s' % (
            killed, self.database)


class Repeating(threading.Thread):
    """Injects `fault` every `interval` seconds until stopped (chaos):
    one starts `interval` after the last one started, or as soon as it
    ended (a kill's restart takes RESTART_SEC and more)."""

    def __init__(self, fault, interval, first_after=0.5):
        super().__init__(daemon=True, name='fault-%s' % fault.kind)
        self.fault = fault
        self.interval = interval
        self.first_after = first_after
        self.stopped = threading.Event()
        self.errors = []

    def run(self):
        if self.stopped.wait(self.first_after):
            return
        while not self.stopped.is_set():
            started = time.monotonic()
            try:
                self.fault.inject()
            except Exception as exc:  # report it; the run goes on
                self.errors.append(repr(exc))
            if self.stopped.wait(max(
                    0.0, started + self.interval - time.monotonic())):
                return

    def stop(self):
        self.stopped.set()
        self.join()
