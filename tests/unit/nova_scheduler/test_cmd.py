"""nova-scheduler's service: with the db service-group driver each of its
heartbeats is a service_heartbeat call (1.0), never a service_beat cast
(1.20), since schedulers are upgraded before the conductors."""

from common import service
from common.conf import CONF
from nova_conductor import rpcapi as conductor_rpcapi
from nova_scheduler import cmd


class _Conductor:
    def __init__(self):
        self.sent = []

    def service_heartbeat(self, ctxt, host, binary, topic):
        self.sent.append(('service_heartbeat', host, binary, topic))

    def service_beat(self, ctxt, host, binary, topic):
        self.sent.append(('service_beat', host, binary, topic))


def test_every_scheduler_heartbeat_is_a_call_with_the_db_driver(monkeypatch):
    conductor = _Conductor()
    monkeypatch.setattr(conductor_rpcapi, 'ConductorAPI', lambda: conductor)
    CONF.set_override('servicegroup_driver', 'db')
    CONF.set_override('host', 'sched-1')
    svc = cmd.make_service()
    assert isinstance(svc, service.Service)
    assert svc.beat is None
    for _ in range(3):
        svc._beat()
    assert conductor.sent == [
        ('service_heartbeat', 'sched-1', 'nova-scheduler', 'scheduler')] * 3
