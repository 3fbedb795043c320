"""Build orchestration: claims, alternates, re-schedule, errors."""

import threading
import time

import pytest

from common import exception
from common import states
from nova_conductor import build
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import placement
from tests.unit.nova_conductor import dbhelpers


class FakeScheduler:

    def __init__(self, answer):
        self.answer = answer

    def select_destinations(self, ctxt, spec, uuids):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class FakeCompute:

    def __init__(self):
        self.casts = []
        self.messages = []   # (host, builds in it) of batched casts

    def build_and_run_instance(self, ctxt, host, instance, image,
                               request_spec, node=None, limits=None,
                               alternates=None):
        self.casts.append((host, instance['uuid'], alternates))

    def build_and_run_instances(self, host, builds):
        self.messages.append((host, len(builds)))
        for ctxt, kwargs in builds:
            self.build_and_run_instance(ctxt, host, **kwargs)


def _choice(node):
    return {'host': node['host'], 'nodename': node['hypervisor_hostname'],
            'compute_node_id': node['id'], 'limits': {}}


SPEC = {'flavor': dbhelpers.FLAVOR, 'image': {}}


def test_claims_first_choice_and_casts_with_alternates(db):
    n1, n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    inst = dbhelpers.make_instance()
    compute = FakeCompute()
    orchestrator = build.BuildOrchestrator(
        FakeScheduler([[_choice(n1), _choice(n2)]]), compute)
    orchestrator.build_instances(None, [inst['uuid']], SPEC)
    assert compute.casts == [('h1', inst['uuid'], [_choice(n2)])]
    got = instances_db.get(inst['uuid'])
    assert (got['host'], got['availability_zone']) == ('h1', 'nova')
    assert compute_db.allocation_get(inst['uuid'])['compute_node_id'] == \
        n1['id']


def test_lost_claim_moves_to_the_alternate(db):
    full = dbhelpers.make_node('full', memory_mb=256)
    roomy = dbhelpers.make_node('roomy')
    inst = dbhelpers.make_instance()
    compute = FakeCompute()
    build.BuildOrchestrator(
        FakeScheduler([[_choice(full), _choice(roomy)]]), compute
    ).build_instances(None, [inst['uuid']], SPEC)
    assert [c[0] for c in compute.casts] == ['roomy']


def test_build_failure_reschedules_then_errors(db):
    n1, n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    inst = dbhelpers.make_instance()
    compute = FakeCompute()
    orchestrator = build.BuildOrchestrator(
        FakeScheduler([[_choice(n1), _choice(n2)]]), compute)
    orchestrator.build_instances(None, [inst['uuid']], SPEC)
    # h1 fails: the instance moves to h2, and h1's claim is returned.
    orchestrator.build_failed(None, inst['uuid'], 'h1', 'boom', None,
                              [_choice(n2)], SPEC)
    assert compute.casts[-1][0] == 'h2'
    assert compute_db.compute_node_get(n1['id'])['running_vms'] == 0
    assert compute_db.compute_node_get(n1['id'])['failed_builds'] == 1
    assert instances_db.get(inst['uuid'])['task_state'] == states.SCHEDULING
    # h2 fails too, with nothing left: error with the fault, all freed.
    orchestrator.build_failed(None, inst['uuid'], 'h2', 'boom again', 'tb',
                              [], SPEC)
    got = instances_db.get(inst['uuid'])
    assert got['vm_state'] == states.ERROR
    assert got['fault']['message'] == 'boom again'
    assert compute_db.compute_node_get(n2['id'])['running_vms'] == 0


def test_no_valid_host_sets_error_without_traceback(db):
    inst = dbhelpers.make_instance()
    error = exception.NoValidHost(reason='RamFilter 2 -> 0')
    build.BuildOrchestrator(FakeScheduler(error), FakeCompute()
                            ).build_instances(None, [inst['uuid']], SPEC)
    got = instances_db.get(inst['uuid'])
    assert got['vm_state'] == states.ERROR
    assert got['fault']['message'] == \
        'No valid host was found. RamFilter 2 -> 0'


def test_instance_deleted_while_scheduling_gives_claim_back(db):
    node = dbhelpers.make_node('h1')
    inst = dbhelpers.make_instance()
    instances_db.destroy(inst['uuid'])
    compute = FakeCompute()
    build.BuildOrchestrator(FakeScheduler([[_choice(node)]]), compute
                            ).build_instances(None, [inst['uuid']], SPEC)
    assert compute.casts == []
    assert compute_db.compute_node_get(node['id'])['running_vms'] == 0
    with pytest.raises(exception.InstanceNotFound):
        instances_db.get(inst['uuid'])


def test_hard_anti_affinity_holds_under_concurrent_claims(db):
    import concurrent.futures
    from nova_conductor.db import server_groups
    n1, n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    group = server_groups.create('g', 'anti-affinity', {}, 'p1', 'u1')
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(6)]
    server_groups.add_members(group['uuid'], uuids)

    def place(args):
        uuid, node = args
        try:
            placement.claim_and_place(uuid, _choice(node), dbhelpers.FLAVOR,
                                      group['uuid'])
            return node['host']
        except exception.ResourcesUnavailable:
            return None
    # Every instance races for the same two hosts.
    work = [(u, n1 if i % 2 else n2) for i, u in enumerate(uuids)]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        placed = [h for h in pool.map(place, work) if h]
    assert sorted(placed) == ['h1', 'h2']
    assert sorted(server_groups.member_hosts(group['uuid'])) == ['h1', 'h2']


def test_affinity_claim_refuses_a_second_host(db):
    from nova_conductor.db import server_groups
    n1, n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    group = server_groups.create('g', 'affinity', {}, 'p1', 'u1')
    a, b = (dbhelpers.make_instance()['uuid'] for _ in range(2))
    server_groups.add_members(group['uuid'], [a, b])
    placement.claim_and_place(a, _choice(n1), dbhelpers.FLAVOR,
                              group['uuid'])
    with pytest.raises(exception.GroupPolicyViolation):
        placement.claim_and_place(b, _choice(n2), dbhelpers.FLAVOR,
                                  group['uuid'])
    got = placement.claim_and_place(b, _choice(n1), dbhelpers.FLAVOR,
                                    group['uuid'])
    assert got['host'] == 'h1'


def test_unexpected_crash_leaves_no_instance_in_scheduling(db):
    from nova_conductor import manager

    class Exploding:
        def select_destinations(self, *args):
            raise RuntimeError('scheduler bug')
    mgr = manager.ConductorManager(scheduler_api=Exploding(),
                                   compute_api=FakeCompute())
    inst = dbhelpers.make_instance()
    # BuildOrchestrator catches NovaException only; a RuntimeError escapes
    # to the manager's last line of defence.
    mgr._build(None, [inst['uuid']], SPEC)
    got = instances_db.get(inst['uuid'])
    assert got['vm_state'] == states.ERROR
    assert 'RuntimeError' in got['fault']['message']
    mgr.cleanup_host()


class RecordingScheduler(FakeScheduler):

    def __init__(self):
        super().__init__([])
        self.invalidations = 0

    def invalidate_host_cache(self, ctxt):
        self.invalidations += 1


def test_admin_changes_to_hosts_tell_the_schedulers(db):
    from nova_conductor import manager
    node = dbhelpers.make_node('h1')
    scheduler = RecordingScheduler()
    mgr = manager.ConductorManager(scheduler_api=scheduler,
                                   compute_api=FakeCompute())
    mgr.service_set_status(None, node['host'], 'nova-compute', True, 'x')
    agg = mgr.aggregate_create(None, 'agg', 'az1')
    assert scheduler.invalidations == 1  # an empty aggregate changes no host
    mgr.aggregate_add_host(None, agg['id'], node['host'])
    mgr.aggregate_set_metadata(None, agg['id'], {'k': 'v'})
    mgr.aggregate_remove_host(None, agg['id'], node['host'])
    assert scheduler.invalidations == 4


def test_a_fresh_claim_skips_the_allocation_and_fixed_ip_reads(db):
    node = dbhelpers.make_node('h1')
    fresh, moved = dbhelpers.make_instance(), dbhelpers.make_instance()

    def claim(uuid, fresh):
        return lambda: placement.claim_and_place(
            uuid, _choice(node), dbhelpers.FLAVOR, fresh=fresh)
    statements = dbhelpers.statements_of(claim(fresh['uuid'], True))
    assert not [s for s in statements if 'FROM allocations' in s or
                'FROM fixed_ips' in s]
    got = instances_db.get(fresh['uuid'])
    assert (got['host'], got['fixed_ips']) == ('h1', [])
    assert compute_db.allocation_get(fresh['uuid'])['compute_node_id'] == \
        node['id']
    # A re-claim gives its first allocation back: one allocation, counted
    # once on the node.
    placement.claim_and_place(moved['uuid'], _choice(node), dbhelpers.FLAVOR)
    statements = dbhelpers.statements_of(claim(moved['uuid'], False))
    assert [s for s in statements if 'FROM allocations' in s]
    assert compute_db.compute_node_get(node['id'])['memory_mb_used'] == \
        2 * dbhelpers.FLAVOR['memory_mb']


def test_concurrent_first_placements_share_transactions_and_casts(
        db, monkeypatch):
    nodes = [dbhelpers.make_node(host, vcpus=64, memory_mb=64 * 512)
             for host in ('h1', 'h2')]
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(12)]
    placed_on = {uuid: nodes[index % 2]['host']
                 for index, uuid in enumerate(uuids)}
    compute = FakeCompute()
    orchestrator = build.BuildOrchestrator(None, compute)
    batches = []
    real = placement.place_new
    gate = threading.Event()

    def recorded(requests):
        batches.append(len(requests))
        gate.wait(5)  # hold the first batch so the others queue up
        return real(requests)
    monkeypatch.setattr(placement, 'place_new', recorded)
    threads = [threading.Thread(target=orchestrator.claim_and_cast, args=(
        None, uuid, [_choice(nodes[index % 2])], SPEC, {}, True))
        for index, uuid in enumerate(uuids)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 5
    while not batches and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(0.05)  # the other threads queue behind the one held
    gate.set()
    for thread in threads:
        thread.join()
    # Each build went to the host it was placed on...
    assert {uuid: host for host, uuid, _ in compute.casts} == placed_on
    assert len(compute.casts) == 12
    assert sum(batches) == 12 and len(batches) < 12
    # ...with the others placed there in the same batch, in one message.
    assert sum(count for _, count in compute.messages) == 12
    assert len(compute.messages) < 12
    assert max(count for _, count in compute.messages) > 1
    for node in nodes:
        assert compute_db.compute_node_get(node['id'])['running_vms'] == 6


def test_a_failed_cast_fails_only_its_hosts_builds(db):
    nodes = [dbhelpers.make_node(host) for host in ('h1', 'h2')]
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(2)]

    class Compute(FakeCompute):
        def build_and_run_instances(self, host, builds):
            if host == 'h2':
                raise RuntimeError('h2 unreachable')
            super().build_and_run_instances(host, builds)
    compute = Compute()
    orchestrator = build.BuildOrchestrator(None, compute)
    outcomes = orchestrator._place_and_cast_batch([
        {'ctxt': None, 'build': {'image': {}, 'request_spec': SPEC,
                                 'node': node['host'], 'limits': {},
                                 'alternates': []},
         'placement': {'instance_uuid': uuid, 'choice': _choice(node),
                       'flavor': dbhelpers.FLAVOR}}
        for uuid, node in zip(uuids, nodes)])
    assert outcomes[0]['uuid'] == uuids[0]
    assert outcomes[0]['host'] == 'h1'
    assert isinstance(outcomes[1], RuntimeError)
    assert compute.casts == [('h1', uuids[0], [])]


def test_a_batch_of_placements_that_fails_reruns_one_by_one(db, monkeypatch):
    node = dbhelpers.make_node('h1')
    inst = dbhelpers.make_instance()
    compute = FakeCompute()

    def broken(requests):
        raise RuntimeError('the batch failed')
    monkeypatch.setattr(placement, 'place_new', broken)
    orchestrator = build.BuildOrchestrator(
        FakeScheduler([[_choice(node)]]), compute)
    orchestrator.build_instances(None, [inst['uuid']], SPEC)
    assert compute.casts == [('h1', inst['uuid'], [])]
    assert instances_db.get(inst['uuid'])['host'] == 'h1'


def test_a_placement_whose_commit_was_lost_is_left_to_the_sweep(
        db, monkeypatch):
    # The claim was stored, but the conductor cannot know: it neither
    # fails the build nor claims it again one by one (which the stored
    # claim would refuse, leaving it uncast). The error reaches the
    # build's owner (manager._build), which hands the build to the sweep:
    # that casts it again to the host it is placed on.
    node = dbhelpers.make_node('h1')
    inst = dbhelpers.make_instance()
    compute = FakeCompute()
    real = placement.place_new

    def committed_but_lost(requests):
        real(requests)
        raise exception.DatabaseCommitUnknown()
    monkeypatch.setattr(placement, 'place_new', committed_but_lost)
    orchestrator = build.BuildOrchestrator(
        FakeScheduler([[_choice(node)]]), compute)
    with pytest.raises(exception.DatabaseUnavailable):
        orchestrator.build_instances(None, [inst['uuid']], SPEC)
    stored = instances_db.get(inst['uuid'])
    assert (stored['vm_state'], stored['task_state'], stored['host']) == (
        states.BUILDING, states.SCHEDULING, 'h1')
    assert compute.casts == []
