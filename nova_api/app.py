"""Builds the falcon WSGI application: middleware, error mapping, routes."""

import falcon

from common import metrics
from common.conf import CONF
from nova_api import auth
from nova_api import errors
from nova_api import healthcheck
from nova_api import lookup_cache
from nova_api import middleware
from nova_api.resources import aggregates
from nova_api.resources import availability_zones
from nova_api.resources import extensions
from nova_api.resources import flavor_access
from nova_api.resources import flavor_extra_specs
from nova_api.resources import flavors
from nova_api.resources import healthcheck as healthcheck_detail
from nova_api.glance import image_data as glance_image_data
from nova_api.glance import images as glance_images
from nova_api.glance import schemas as glance_schemas
from nova_api.glance import versions as glance_versions
from nova_api.resources import hosts
from nova_api.resources import hypervisors
from nova_api.resources import identity
from nova_api.resources import image_metadata
from nova_api.resources import images
from nova_api.resources import instance_usage_audit_log
from nova_api.resources import keypairs
from nova_api.resources import metrics_page
from nova_api.resources import instance_actions
from nova_api.resources import migrations
from nova_api.resources import networks
from nova_api.resources import quota_classes
from nova_api.resources import quotas
from nova_api.resources import scheduler_dry_run
from nova_api.resources import remote_consoles
from nova_api.resources import server_actions
from nova_api.resources import server_external_events
from nova_api.resources import server_groups
from nova_api.resources import server_live_migration
from nova_api.resources import server_metadata
from nova_api.resources import server_password
from nova_api.resources import server_tags
from nova_api.resources import servers
from nova_api.resources import services
from nova_api.resources import simple_tenant_usage
from nova_api.resources import versions
from nova_api.resources import volume_attachments
from nova_dashboard import web as dashboard


def _add_routes(app, conductor_api):
    app.add_route('/', versions.Versions())
    app.add_route(healthcheck.PATH, healthcheck_detail.HealthcheckDetail())
    app.add_route('/v2', versions.V20())
    app.add_route('/v2/', versions.V20())
    app.add_route('/v2.1', versions.V21())
    app.add_route('/v2.1/', versions.V21())
    app.add_route('/v2.1/extensions', extensions.Extensions())
    app.add_route('/v2.1/extensions/{alias}', extensions.Extension())
    app.add_route('/v2.1/flavors', flavors.FlavorCollection(conductor_api))
    app.add_route('/v2.1/flavors/detail', flavors.FlavorDetail(conductor_api))
    app.add_route('/v2.1/flavors/{flavor_id}', flavors.Flavor(conductor_api))
    app.add_route('/v2.1/flavors/{flavor_id}/os-flavor-access',
                  flavor_access.FlavorAccess(conductor_api))
    app.add_route('/v2.1/flavors/{flavor_id}/action',
                  flavor_access.FlavorAction(conductor_api))
    app.add_route('/v2.1/flavors/{flavor_id}/os-extra_specs',
                  flavor_extra_specs.FlavorExtraSpecs(conductor_api))
    app.add_route('/v2.1/flavors/{flavor_id}/os-extra_specs/{key}',
                  flavor_extra_specs.FlavorExtraSpec(conductor_api))
    app.add_route('/v2.1/images', images.ImageCollection(conductor_api))
    app.add_route('/v2.1/images/detail', images.ImageDetail(conductor_api))
    app.add_route('/v2.1/images/{image_id}', images.Image(conductor_api))
    app.add_route('/v2.1/images/{image_id}/metadata',
                  image_metadata.ImageMetadata(conductor_api))
    app.add_route('/v2.1/images/{image_id}/metadata/{key}',
                  image_metadata.ImageMetadataItem(conductor_api))
    app.add_route('/image', glance_versions.Versions())
    app.add_route('/image/versions', glance_versions.Versions(status=200))
    app.add_route('/image/v2/images',
                  glance_images.ImageCollection(conductor_api))
    app.add_route('/image/v2/images/{image_id}',
                  glance_images.Image(conductor_api))
    app.add_route('/image/v2/images/{image_id}/tasks',
                  glance_images.ImageTasks(conductor_api))
    app.add_route('/image/v2/images/{image_id}/file',
                  glance_image_data.ImageData(conductor_api))
    app.add_route('/image/v2/schemas/image', glance_schemas.ImageSchema())
    app.add_route('/v2.1/servers', servers.ServerCollection(conductor_api))
    app.add_route('/v2.1/servers/detail', servers.ServerDetail(conductor_api))
    app.add_route('/v2.1/servers/{server_id}', servers.Server(conductor_api))
    app.add_route('/v2.1/os-aggregates',
                  aggregates.AggregateCollection(conductor_api))
    app.add_route('/v2.1/os-aggregates/{aggregate_id}',
                  aggregates.Aggregate(conductor_api))
    app.add_route('/v2.1/os-aggregates/{aggregate_id}/action',
                  aggregates.AggregateAction(conductor_api))
    app.add_route('/v2.1/os-aggregates/{aggregate_id}/images',
                  aggregates.AggregateImages(conductor_api))
    app.add_route('/v2.1/os-availability-zone',
                  availability_zones.AvailabilityZones(conductor_api))
    app.add_route('/v2.1/os-availability-zone/detail',
                  availability_zones.AvailabilityZonesDetail(conductor_api))
    app.add_route('/v2.1/os-services', services.Services(conductor_api))
    app.add_route('/v2.1/os-services/{service_id}',
                  services.Service(conductor_api))
    app.add_route('/v2.1/os-hypervisors',
                  hypervisors.Hypervisors(conductor_api))
    app.add_route('/v2.1/os-hypervisors/detail',
                  hypervisors.HypervisorsDetail(conductor_api))
    app.add_route('/v2.1/os-hypervisors/statistics',
                  hypervisors.HypervisorStatistics(conductor_api))
    app.add_route('/v2.1/os-hypervisors/{hypervisor_id}',
                  hypervisors.Hypervisor(conductor_api))
    app.add_route('/v2.1/os-hypervisors/{hypervisor_id}/uptime',
                  hypervisors.HypervisorUptime(conductor_api))
    app.add_route('/v2.1/os-hypervisors/{hypervisor_id}/search',
                  hypervisors.HypervisorSearch(conductor_api))
    app.add_route('/v2.1/os-hypervisors/{hypervisor_id}/servers',
                  hypervisors.HypervisorServers(conductor_api))
    app.add_route('/v2.1/os-keypairs', keypairs.KeyPairs(conductor_api))
    app.add_route('/v2.1/os-keypairs/{name}', keypairs.KeyPair(conductor_api))
    app.add_route('/v2.1/os-quota-sets/{project_id}',
                  quotas.QuotaSet(conductor_api))
    app.add_route('/v2.1/os-quota-sets/{project_id}/defaults',
                  quotas.QuotaSetDefaults(conductor_api))
    app.add_route('/v2.1/os-quota-sets/{project_id}/detail',
                  quotas.QuotaSetDetail(conductor_api))
    app.add_route('/v2.1/limits', quotas.Limits(conductor_api))
    app.add_route('/v2.1/os-server-groups',
                  server_groups.ServerGroupCollection(conductor_api))
    app.add_route('/v2.1/os-server-groups/{group_id}',
                  server_groups.ServerGroup(conductor_api))
    app.add_route('/v2.1/os-scheduler/dry-run',
                  scheduler_dry_run.SchedulerDryRun(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/action',
                  server_actions.ServerAction(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/metadata',
                  server_metadata.ServerMetadata(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/metadata/{key}',
                  server_metadata.ServerMetadataItem(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/os-volume_attachments',
                  volume_attachments.VolumeAttachments(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/os-volume_attachments/'
                  '{volume_id}',
                  volume_attachments.VolumeAttachment(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/tags',
                  server_tags.ServerTags(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/tags/{tag}',
                  server_tags.ServerTag(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/diagnostics',
                  servers.ServerDiagnostics(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/os-instance-actions',
                  instance_actions.InstanceActions(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/os-instance-actions/'
                  '{request_id}',
                  instance_actions.InstanceAction(conductor_api))
    _add_admin_routes(app, conductor_api)


def _add_admin_routes(app, conductor_api):
    """Operators' reports and settings, and the deprecated proxies."""
    app.add_route('/v2.1/os-hosts', hosts.Hosts(conductor_api))
    app.add_route('/v2.1/os-hosts/{host_name}', hosts.Host(conductor_api))
    for action in ('startup', 'shutdown', 'reboot'):
        app.add_route('/v2.1/os-hosts/{host_name}/' + action,
                      hosts.HostPowerAction(conductor_api, action))
    app.add_route('/v2.1/os-simple-tenant-usage',
                  simple_tenant_usage.TenantUsages(conductor_api))
    app.add_route('/v2.1/os-simple-tenant-usage/{tenant_id}',
                  simple_tenant_usage.TenantUsage(conductor_api))
    app.add_route('/v2.1/os-instance_usage_audit_log',
                  instance_usage_audit_log.AuditLogs(conductor_api))
    app.add_route('/v2.1/os-instance_usage_audit_log/{before_timestamp}',
                  instance_usage_audit_log.AuditLog(conductor_api))
    app.add_route('/v2.1/os-migrations',
                  migrations.Migrations(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/migrations',
                  migrations.ServerMigrations(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/migrations/{migration_id}',
                  server_live_migration.ServerMigration(conductor_api))
    app.add_route(
        '/v2.1/servers/{server_id}/migrations/{migration_id}/action',
        server_live_migration.ServerMigrationAction(conductor_api))
    app.add_route('/v2.1/os-server-external-events',
                  server_external_events.ServerExternalEvents(
                      conductor_api))
    app.add_route('/v2.1/os-networks', networks.Networks(conductor_api))
    app.add_route('/v2.1/os-networks/add',
                  networks.NetworksAdd(conductor_api))
    app.add_route('/v2.1/os-networks/{network_id}',
                  networks.Network(conductor_api))
    app.add_route('/v2.1/os-networks/{network_id}/action',
                  networks.NetworkAction(conductor_api))
    app.add_route('/v2.1/os-tenant-networks',
                  networks.TenantNetworks(conductor_api))
    app.add_route('/v2.1/os-tenant-networks/{network_id}',
                  networks.TenantNetwork(conductor_api))
    app.add_route('/v2.1/os-quota-class-sets/{class_name}',
                  quota_classes.QuotaClassSet(conductor_api))
    app.add_route('/v2.1/servers/{server_id}/os-server-password',
                  server_password.ServerPassword(conductor_api))
    remote_consoles.add_routes(app, conductor_api)


def _compute_app(conductor_api, identity):
    """The falcon app of the Compute API (and its image proxy), with
    `identity` the middleware that says who calls."""
    if conductor_api is None:
        from nova_conductor import rpcapi as conductor_rpcapi
        conductor_api = conductor_rpcapi.ConductorAPI()
    conductor_api = lookup_cache.wrap(conductor_api, CONF.api.lookup_cache_ttl)
    paths = middleware.ProjectPrefixMiddleware()
    app = falcon.App(middleware=[
        middleware.JSONResponseEncoder(),
        middleware.RequestIdMiddleware(),
        paths,
        middleware.MicroversionMiddleware(),
        identity,
    ])
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)
    _add_routes(app, conductor_api)
    return app, paths


def create_internal_app(conductor_api, identity):
    """The Compute API as another front end in this process calls it
    (the EC2 API): `identity` sets the caller it already authenticated;
    no token check, no dashboard."""
    app, paths = _compute_app(conductor_api, identity)
    paths.learn_routes(app)
    return app


def create_app(conductor_api=None, metrics_route=False):
    app, paths = _compute_app(conductor_api, auth.identity_middleware())
    if not auth.keystone_enabled():
        # Keystone serves its own discovery; noauth2 stands in for it.
        app.add_route('/identity', identity.IdentityVersions())
        app.add_route('/identity/v3', identity.IdentityV3())
        app.add_route('/identity/v3/projects', identity.IdentityProjects())
        app.add_route('/identity/v3/projects/{project_id}',
                      identity.IdentityProject())
    if CONF.dashboard.enabled:
        dashboard.mount(app)
    if metrics_route and metrics.enabled():
        app.add_route('/metrics', metrics_page.MetricsPage())
    paths.learn_routes(app)
    return healthcheck.wrap(auth.wrap(app))
