"""Every API policy rule, with Nova's names and defaults, one module per area.

`list_rules` feeds the Enforcer (nova_api/policy.py) and
`oslopolicy-sample-generator --namespace nova`, which writes
etc/policy.yaml.sample.
"""

import itertools

from nova_api.policies import aggregates
from nova_api.policies import availability_zones
from nova_api.policies import base
from nova_api.policies import consoles
from nova_api.policies import diagnostics
from nova_api.policies import extensions
from nova_api.policies import flavor_access
from nova_api.policies import flavor_extra_specs
from nova_api.policies import flavors
from nova_api.policies import healthcheck
from nova_api.policies import hosts
from nova_api.policies import hypervisors
from nova_api.policies import images
from nova_api.policies import instance_actions
from nova_api.policies import instance_usage_audit_log
from nova_api.policies import keypairs
from nova_api.policies import migrations
from nova_api.policies import networks
from nova_api.policies import quota_class_sets
from nova_api.policies import quota_sets
from nova_api.policies import scheduler
from nova_api.policies import server_actions
from nova_api.policies import server_external_events
from nova_api.policies import server_groups
from nova_api.policies import server_metadata
from nova_api.policies import server_moves
from nova_api.policies import server_password
from nova_api.policies import server_snapshots
from nova_api.policies import server_tags
from nova_api.policies import servers
from nova_api.policies import services
from nova_api.policies import simple_tenant_usage
from nova_api.policies import volume_attachments

MODULES = (base, servers, server_actions, server_metadata, server_tags,
           diagnostics, instance_actions, flavors, flavor_access,
           flavor_extra_specs, images, keypairs, aggregates,
           availability_zones, hypervisors, services, quota_sets,
           server_groups, scheduler, hosts, simple_tenant_usage,
           instance_usage_audit_log, migrations, server_external_events,
           networks, quota_class_sets, extensions, server_password,
           volume_attachments, server_moves, server_snapshots, consoles,
           healthcheck)


def list_rules():
    return list(itertools.chain.from_iterable(
        module.list_rules() for module in MODULES))
