"""/v2.1/os-migrations (admin): moves of instances between hosts, with
filters (host, status, instance_uuid, source_compute, migration_type,
hidden); and /v2.1/servers/{id}/migrations[/{id}] (2.23): a server's
live migrations in progress.

Microversions: 2.23 adds `migration_type`, and `links` for a live
migration in progress; 2.59 adds `uuid`, pages the list (limit, marker =
a migration uuid, `migrations_links`), filters by changes-since and
refuses unknown parameters; 2.66 adds changes-before; 2.80 adds
`user_id` and `project_id`, as fields and filters.
"""

import datetime

from common import exception
from common import migration_states
from common.conf import CONF
from nova_api import links
from nova_api import microversion
from nova_api import policy
from nova_api import query
from nova_api import timestamps
from nova_api.resources import server_resource

V_TYPE = (2, 23)
V_PAGES = (2, 59)
V_BEFORE = (2, 66)
V_OWNERS = (2, 80)
FILTERS = ('hidden', 'host', 'instance_uuid', 'source_compute', 'status',
           'migration_type')
LIVE_IN_PROGRESS = migration_states.LIVE_IN_PROGRESS
_FIELDS = ('id', 'status', 'instance_uuid', 'source_node', 'source_compute',
           'dest_node', 'dest_compute', 'dest_host', 'old_instance_type_id',
           'new_instance_type_id')


def allowed_params(version):
    """The query parameters a version takes (from 2.59 the list is
    closed)."""
    out = list(FILTERS) + ['limit', 'marker', 'changes-since']
    if version >= V_BEFORE:
        out.append('changes-before')
    if version >= V_OWNERS:
        out += ['user_id', 'project_id']
    return out


def _with_ids(version, out, migration):
    """The uuid from 2.59, the owner's user and project from 2.80."""
    if version >= V_PAGES:
        out['uuid'] = migration['uuid']
    if version >= V_OWNERS:
        out['user_id'] = migration['user_id']
        out['project_id'] = migration['project_id']
    return out


def view(req, migration):
    version = req.context.api_version
    out = {k: migration[k] for k in _FIELDS}
    out['created_at'] = timestamps.microseconds(migration['created_at'])
    out['updated_at'] = timestamps.microseconds(migration['updated_at'])
    if version >= V_TYPE:
        out['migration_type'] = migration['migration_type']
        if (migration['migration_type'] == 'live-migration' and
                migration['status'] in LIVE_IN_PROGRESS):
            out['links'] = links.resource_links(
                req, 'servers/%s/migrations' % migration['instance_uuid'],
                migration['id'])
    return _with_ids(version, out, migration)


class Migrations:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-migrations:index')
        version = req.context.api_version
        filters = {k: query.sql_text(req.get_param(k), k) for k in FILTERS
                   if req.get_param(k) is not None}
        # Hidden moves (the internal half of a cross-cell move in Nova)
        # are never shown: asking for them finds none.
        asked_hidden = query.boolean(req, 'hidden')
        filters['hidden'] = False
        limit = marker = None
        if version >= V_PAGES:
            query.only(req, allowed_params(version))
            asked = query.limit(req)
            limit = CONF.api.max_limit if asked is None else min(
                asked, CONF.api.max_limit)
            marker = query.sql_text(req.get_param('marker'), 'marker')
            filters['changes_since'] = query.date_time(req, 'changes-since')
        if version >= V_BEFORE:
            filters['changes_before'] = query.date_time(req,
                                                        'changes-before')
            since, before = (filters['changes_since'],
                             filters['changes_before'])
            if since and before and (datetime.datetime.fromisoformat(before)
                                     < datetime.datetime.fromisoformat(
                                         since)):
                raise exception.Invalid('The value of changes-since must '
                                        'be less than or equal to '
                                        'changes-before.')
        if version >= V_OWNERS:
            for key in ('user_id', 'project_id'):
                if req.get_param(key) is not None:
                    filters[key] = query.sql_text(req.get_param(key), key)
        found = [] if limit == 0 or asked_hidden else \
            self.conductor.migration_get_all(req.context.ctxt,
                                             filters=filters, limit=limit,
                                             marker=marker)
        resp.media = {'migrations': [view(req, m) for m in found]}
        if limit and len(found) == limit:
            resp.media['migrations_links'] = links.collection_next(
                req, 'os-migrations', found[-1]['uuid'])


V_SERVER_MIGRATIONS = (2, 23)
# A server lists at most this many moves in progress (one, in practice).
SERVER_MIGRATIONS_MAX = 100


def server_migration_view(req, migration):
    """A live migration in progress, as /servers/{id}/migrations shows it
    (byte counters from the migration's progress)."""
    version = req.context.api_version
    out = {'id': migration['id'], 'server_uuid': migration['instance_uuid'],
           'status': migration['status'],
           'created_at': timestamps.microseconds(migration['created_at']),
           'updated_at': timestamps.microseconds(migration['updated_at'])}
    for key in ('source_compute', 'source_node', 'dest_compute',
                'dest_node', 'dest_host'):
        out[key] = migration[key]
    for key in ('memory_total', 'memory_processed', 'memory_remaining',
                'disk_total', 'disk_processed', 'disk_remaining'):
        out[key + '_bytes'] = migration.get(key)
    return _with_ids(version, out, migration)


class _ServerMigrationsBase(server_resource.ServerResource):
    """A server's live migrations in progress (2.23); a cold move never
    shows here (Nova's rule), only in /os-migrations."""

    def in_progress(self, req, server_id, rule):
        microversion.require(req, V_SERVER_MIGRATIONS)
        instance = self.get_visible(req, server_id, rule)
        return self.conductor.migration_get_all(
            req.context.ctxt, filters={
                'instance_uuid': instance['uuid'], 'hidden': False,
                'migration_type': migration_states.LIVE_MIGRATION,
                'status': list(LIVE_IN_PROGRESS)},
            limit=SERVER_MIGRATIONS_MAX)


class ServerMigrations(_ServerMigrationsBase):

    def on_get(self, req, resp, server_id):
        found = self.in_progress(req, server_id,
                                 'os_compute_api:servers:migrations:index')
        resp.media = {'migrations': [server_migration_view(req, m)
                                     for m in found]}


class ServerMigration(_ServerMigrationsBase):

    def on_get(self, req, resp, server_id, migration_id):
        found = self.in_progress(req, server_id,
                                 'os_compute_api:servers:migrations:show')
        for migration in found:
            if str(migration['id']) == migration_id:
                resp.media = {'migration': server_migration_view(
                    req, migration)}
                return
        raise exception.MigrationNotFoundForInstance(
            migration_id=migration_id, instance_id=server_id)
