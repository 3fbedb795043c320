"""/v2.1/os-scheduler/dry-run (admin): where would this server land, and why.

Takes the body of a server create and answers with the per-filter host
counts and the weighed candidates, best first, without claiming anything.
"""

from nova_api import policy
from nova_api import validation
from nova_api.resources import servers


class SchedulerDryRun:

    def __init__(self, conductor_api):
        self.conductor = conductor_api
        self.specs = servers.ServerSpecBuilder(conductor_api)

    @validation.schema(servers.create_schema)
    def on_post(self, req, resp, body):
        policy.authorize(req, 'os_compute_api:os-scheduler:dry-run')
        ctxt = req.context.ctxt
        # Where the servers would land, whatever the caller's own quota.
        _flavor, _image, _metadata, spec = self.specs.request_spec(
            ctxt, body, count_quota=False)
        result = self.conductor.scheduler_dry_run(ctxt, spec)
        resp.media = {'dry_run': {
            'filters': [{'name': name, 'hosts_in': hosts_in,
                         'hosts_out': hosts_out}
                        for name, hosts_in, hosts_out in result['filters']],
            'candidates': result['candidates'],
            'reason': result.get('reason'),
        }}
