"""Builds whose conductor worker was lost are taken over and resumed.

The instance row is the durable work item: an instance in scheduling is a
build under way, and its `build_owner` is the worker running it. Every
worker registers (db/build_owners.py), heartbeats, and looks for builds
whose owner is gone: no heartbeat for [conductor] build_owner_timeout, or,
on its own host, a process that no longer runs (so a worker restarted
after kill -9 resumes its builds at once). A build waiting longer than
[conductor] scheduling_timeout is taken over whoever owns it, and so is
one placed on a compute host whose service is down. Taking over is a
compare-and-swap on the owner, so exactly one worker resumes each build;
the one it was taken from, if still alive, finds it taken at its claim
and stops.

Resuming: a build with no host is scheduled again from its stored request
spec; one already claimed on a host is cast there again (a copy the host
got before is harmless: the first of the two to move the instance on
wins, the other stops), or, if that host is down, its claim is freed and
it is scheduled elsewhere. After [conductor] max_build_resumes it goes to
error with a fault that says why.
"""

import collections
import datetime
import logging
import os
import threading

from common import context as nova_context
from common import exception
from common import servicegroup
from common import service
from common.conf import CONF
from nova_conductor import image_lookup
from nova_conductor.db import build_owners as owners_db
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models

LOG = logging.getLogger(__name__)


def _proc_start(pid):
    """When process `pid` started (naive UTC), or None when /proc cannot
    tell; 'dead' for a zombie."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
        with open('/proc/stat') as f:
            boot = next(int(line.split()[1]) for line in f
                        if line.startswith('btime '))
    except (OSError, StopIteration, ValueError):
        return None
    # The command name may hold spaces and parentheses: fields follow
    # the last ')'. Field 3 is the state, field 22 the start in ticks.
    fields = stat[stat.rindex(')') + 2:].split()
    if fields[0] in ('Z', 'X'):
        return 'dead'
    ticks = int(fields[19]) / os.sysconf('SC_CLK_TCK')
    return datetime.datetime.fromtimestamp(
        boot + ticks, datetime.timezone.utc).replace(tzinfo=None)


def process_runs(pid, started_at):
    """Whether the worker process that registered at `started_at` as
    `pid` still runs on this host (its pid not reused by a newer one)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    started = _proc_start(pid)
    if started == 'dead':
        return False
    # The worker registered after its process started; a process that
    # started later is another one under a reused pid. MySQL keeps whole
    # seconds, hence the margin.
    return started is None or \
        started <= started_at + datetime.timedelta(seconds=2)


def live_owners(workers, now, timeout, host):
    """The ids of the workers alive: a heartbeat within `timeout`, and, on
    this `host`, a process still running."""
    limit = now - datetime.timedelta(seconds=timeout)
    return {w['id'] for w in workers
            if w['heartbeat_at'] >= limit and
            (w['host'] != host or process_runs(w['pid'], w['started_at']))}


class BuildOwner:
    """This worker as the owner of builds: its registration and heartbeat,
    and the sweep that takes over the builds of workers gone.

    `builder`: the BuildOrchestrator; `start_build(ctxt, uuids, spec)`
    runs a build on the worker's build pool.
    """

    def __init__(self, builder, compute_api, start_build):
        self.builder = builder
        self.compute_api = compute_api
        self.start_build = start_build
        self.id = None
        self.started_at = None
        self._heartbeat = None
        self._lock = threading.Lock()
        self._released = set()

    @property
    def interval(self):
        return CONF.conductor.build_owner_timeout / 5.0

    def start(self):
        self.id = owners_db.register(CONF.host, os.getpid())
        self.started_at = models.utcnow()
        self.builder.owner = self.id
        LOG.info('Conductor worker %s (pid %d) owns the builds it runs',
                 self.id, os.getpid())
        # Its own thread, not a service timer: it must go on beating while
        # the service drains its builds on SIGTERM.
        self._heartbeat = service.Periodic(
            'conductor-worker-heartbeat', self.interval, self.beat,
            run_now=False, retry_after=1.0)
        self._heartbeat.start()

    def stop(self):
        """After the worker's builds have finished: they need no owner."""
        if self._heartbeat is not None:
            self._heartbeat.stop()
        if self.id is not None:
            owners_db.unregister(self.id)

    def beat(self):
        owners_db.heartbeat(self.id, CONF.host, os.getpid(), self.started_at)

    def release(self, instance_uuids):
        """Builds this worker cannot go on with now (no scheduler
        answered): the next sweep resumes them, as one more resume."""
        with self._lock:
            self._released.update(instance_uuids)

    # -- the sweep ---------------------------------------------------------

    def sweep(self):
        """Take over the builds that need an owner, and resume them."""
        now = models.utcnow()
        timeout = CONF.conductor.build_owner_timeout
        workers = owners_db.workers()
        live = live_owners(workers, now, timeout, CONF.host) | {self.id}
        gone = [w['id'] for w in workers if w['id'] not in live and
                w['heartbeat_at'] < now - datetime.timedelta(
                    seconds=10 * timeout)]
        if gone:
            owners_db.prune(gone)
        candidates = owners_db.waiting(
            live, now - datetime.timedelta(
                seconds=CONF.conductor.scheduling_timeout),
            now - datetime.timedelta(seconds=timeout))
        stuck = now - datetime.timedelta(
            seconds=CONF.conductor.scheduling_timeout)
        down = self._hosts_down({c['host'] for c in candidates
                                 if c['host'] and c['updated_at'] >= stuck})
        with self._lock:
            released, self._released = self._released, set()
        taken = []
        for c in candidates:
            why = self._why(c, live, stuck, down)
            if why is not None and self._take_over(
                    c['uuid'], c['build_owner']):
                LOG.warning('Taking over the build of %s (%s)', c['uuid'],
                            why)
                taken.append(c['uuid'])
        for uuid in released:
            if self._take_over(uuid, self.id):
                taken.append(uuid)
        if taken:
            try:
                self._resume(taken)
            except exception.DatabaseUnavailable:
                # They are ours now, so no later sweep would see them as
                # lost: look at them again next time.
                self.release(taken)
                raise
        return taken

    def _take_over(self, instance_uuid, old_owner):
        try:
            return owners_db.take_over(instance_uuid, old_owner, self.id)
        except exception.DatabaseUnavailable:
            # Taken or not (a lost COMMIT): the next sweep tries again,
            # from its old owner or from us.
            self.release([instance_uuid])
            return False

    @staticmethod
    def _why(candidate, live, stuck, down):
        owner = candidate['build_owner']
        if owner is not None and owner not in live:
            return 'its conductor worker %s is gone' % owner
        if candidate['updated_at'] < stuck:
            return 'in scheduling for more than %ss' % (
                CONF.conductor.scheduling_timeout)
        if candidate['host'] in down:
            return 'its host %s is down' % candidate['host']
        return None

    @staticmethod
    def _hosts_down(hosts):
        down = set()
        for host in hosts:
            svc = compute_db.service_get_by_host(host)
            if svc is None or not servicegroup.service_is_up(svc):
                down.add(host)
        return down

    # -- resuming ----------------------------------------------------------

    def _resume(self, instance_uuids):
        found = instances_db.get_all({'uuids': instance_uuids})
        creators = owners_db.creators(instance_uuids)
        to_schedule = collections.defaultdict(list)
        for instance in found:
            ctxt = _context(instance, creators.get(instance['uuid']) or {})
            try:
                if self._needs_scheduling(ctxt, instance):
                    # Instances of one request are scheduled together
                    # again, as they were the first time.
                    to_schedule[instance['reservation_id'] or
                                instance['uuid']].append(instance)
            except Exception:
                # Deleted meanwhile (then nothing is taken next time), or
                # the database blinked: the next sweep tries again.
                LOG.warning('Could not resume the build of %s',
                            instance['uuid'], exc_info=True)
                self.release([instance['uuid']])
        for group in to_schedule.values():
            self.start_build(
                _context(group[0], creators.get(group[0]['uuid']) or {}),
                [i['uuid'] for i in group], group[0]['request_spec'])

    def _needs_scheduling(self, ctxt, instance):
        """Give up, or cast again to the claimed host: False. Or free its
        claim on a host that is down: True (schedule it)."""
        if instance['build_resumes'] > CONF.conductor.max_build_resumes:
            self._give_up(instance)
            return False
        if not instance['host']:
            return True
        if self._cast_again(ctxt, instance):
            return False
        return owners_db.unplace(
            instance['uuid'], instance['host'], self.id,
            expected_task_states=owners_db.BUILD_STATES[:1],
            expected_owner=self.id)

    def _cast_again(self, ctxt, instance):
        """Cast the build again to the host it is claimed on, if that host
        is up; False when it must be scheduled elsewhere."""
        host = instance['host']
        svc = compute_db.service_get_by_host(host)
        if svc is None or not servicegroup.service_is_up(svc):
            LOG.info('Host %s of %s is down: scheduling it elsewhere',
                     host, instance['uuid'])
            return False
        spec = instance['request_spec'] or {}
        try:
            self.compute_api.build_and_run_instance(
                ctxt, host, instance, image_lookup.from_spec(spec), spec,
                node=instance['node'], alternates=[])
        except Exception:
            LOG.warning('Could not cast the build of %s to %s again; '
                        'scheduling it elsewhere', instance['uuid'], host,
                        exc_info=True)
            return False
        return True

    def _give_up(self, instance):
        resumes = instance['build_resumes'] - 1
        message = ('The build was resumed %d times after the conductor or '
                   'compute host running it stopped, and did not finish. '
                   'Delete the server and create it again.' % resumes)
        if owners_db.fail(instance['uuid'], message,
                          expected_task_states=owners_db.BUILD_STATES[:1],
                          expected_owner=self.id):
            LOG.warning('Build of %s given up after %d resumes',
                        instance['uuid'], resumes)


def _context(instance, creator):
    """The request context of a resumed build: its creator's user,
    project and request id, as the create action recorded them."""
    return nova_context.RequestContext(
        user_id=creator.get('user_id') or instance['user_id'],
        project_id=creator.get('project_id') or instance['project_id'],
        request_id=creator.get('request_id'), overwrite=False)
