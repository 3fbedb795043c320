"""Small builders for conductor tests."""

from sqlalchemy import event

from common import states
from nova_conductor import rpcapi
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_create
from nova_conductor.db import session

FLAVOR = {'flavorid': '1', 'name': 'm1.tiny', 'vcpus': 1, 'memory_mb': 512,
          'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0}
CTXT = {'request_id': 'req-1', 'user_id': 'u1', 'project_id': 'p1'}


def make_node(host='host1', vcpus=4, memory_mb=4096, local_gb=100,
              ram_ratio=1.0, cpu_ratio=1.0, disk_ratio=1.0, reserved_mb=0):
    compute_db.service_heartbeat(host, 'nova-compute', 'compute')
    return compute_db.compute_node_update(host, host, {
        'vcpus': vcpus, 'memory_mb': memory_mb, 'local_gb': local_gb,
        'memory_mb_reserved': reserved_mb,
        'cpu_allocation_ratio': cpu_ratio,
        'ram_allocation_ratio': ram_ratio,
        'disk_allocation_ratio': disk_ratio,
        'hypervisor_type': 'test', 'hypervisor_version': 1})


def make_instance(flavor=FLAVOR, **values):
    base = {'display_name': 'vm', 'project_id': 'p1', 'user_id': 'u1',
            'flavor': flavor, 'vcpus': flavor['vcpus'],
            'memory_mb': flavor['memory_mb'], 'root_gb': flavor['root_gb'],
            'vm_state': states.BUILDING, 'task_state': states.SCHEDULING}
    base.update(values)
    return instance_create.create(base, CTXT)


def statements_of(func):
    """The SQL statements `func` runs, in order, on one line each."""
    engine = session.get_engine()
    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(' '.join(statement.split()))
    event.listen(engine, 'before_cursor_execute', record)
    try:
        func()
    finally:
        event.remove(engine, 'before_cursor_execute', record)
    return seen


class LostConnections:
    """Makes SQLite fail as a server that drops its connections would: the
    next `statements` statements, or the next `commits` COMMITs (made
    first when `after_commit`, as when the server committed and the
    connection went before the answer), raise a driver error the dialect
    counts as a disconnect. SQLAlchemy's own handling runs, as for a
    PostgreSQL or MySQL connection terminated in use."""

    def __init__(self, monkeypatch, statements=0, commits=0,
                 after_commit=False):
        self.statements = statements
        self.commits = commits
        self.after_commit = after_commit
        self.raised = 0
        dialect = session.get_engine().dialect
        self._error = dialect.loaded_dbapi.OperationalError(
            'fault test: server closed the connection unexpectedly')
        real_is_disconnect = dialect.is_disconnect
        monkeypatch.setattr(
            dialect, 'is_disconnect', lambda e, *a: e is self._error or
            real_is_disconnect(e, *a))
        for name in ('do_execute', 'do_execute_no_params', 'do_executemany'):
            monkeypatch.setattr(dialect, name,
                                self._statement(getattr(dialect, name)))
        real_commit = dialect.do_commit

        def do_commit(dbapi_connection):
            if self.commits > 0:
                self.commits -= 1
                self.raised += 1
                if self.after_commit:
                    real_commit(dbapi_connection)
                raise self._error
            real_commit(dbapi_connection)
        monkeypatch.setattr(dialect, 'do_commit', do_commit)

    def _statement(self, real):
        def run(cursor, *args, **kwargs):
            if self.statements > 0:
                self.statements -= 1
                self.raised += 1
                raise self._error
            return real(cursor, *args, **kwargs)
        return run


class SentRecorder(rpcapi.ConductorAPI):
    """A conductor client that records (method, version) of each call it
    would send, in `sent`; no transport."""

    def __init__(self):
        self.sent = []

    def call(self, ctxt, method, version, server=None, timeout=None, **kw):
        self.sent.append((method, version))


def _version(text):
    return tuple(int(part) for part in text.split('.'))


class CappedRecorder(SentRecorder):
    """A SentRecorder of a deployment whose conductors know up to `cap`
    (change it to act older): it keeps the last call's kwargs and answers
    each call with `answer(method)`."""

    def __init__(self, cap, answer=lambda method: None):
        super().__init__()
        self.cap = cap
        self.answer = answer
        self.kwargs = None

    def can_send_version(self, version):
        return _version(version) <= _version(self.cap)

    def call(self, ctxt, method, version, server=None, timeout=None, **kw):
        super().call(ctxt, method, version, **kw)
        self.kwargs = kw
        return self.answer(method)
