"""Live migration through the API (docs/live-migration.md): the
`os-migrateLive` server action, and what acts on a live migration in
progress: POST /servers/{id}/migrations/{id}/action with
`force_complete` (2.22) and DELETE /servers/{id}/migrations/{id} (an
abort, 2.24; from 2.65 also of one still queued or preparing).

`os-migrateLive` by microversion: before 2.25 `host` (null: the scheduler
picks), `block_migration` and `disk_over_commit` (ignored), all required;
2.25 drops `disk_over_commit` and lets `block_migration` be "auto"; 2.30
adds `force` (skip the scheduler's check of the host); 2.68 removes it.
Before 2.34 the API waits for the conductor's checks and a refusal is its
400; from 2.34 it answers 202 at once and a refusal is the migration's
'error' status and the action's failed event.
"""

import falcon

from common import exception
from nova_api import microversion
from nova_api import validation
from nova_api.resources import migrations

V_AUTO = (2, 25)
V_FORCE = (2, 30)
V_ASYNC = (2, 34)
V_NO_FORCE = (2, 68)
V_FORCE_COMPLETE = (2, 22)
V_ABORT = (2, 24)
V_ABORT_EARLY = (2, 65)
RULE = 'os_compute_api:os-migrate-server:migrate_live'
HOST = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255}


def migrate_live_schema(version):
    """`os-migrateLive`'s body at a microversion."""
    props = {'host': HOST}
    if version < V_AUTO:
        props.update(block_migration=validation.BOOLEAN,
                     disk_over_commit=validation.BOOLEAN)
        required = ['host', 'block_migration', 'disk_over_commit']
    else:
        props['block_migration'] = {
            'type': ['boolean', 'string'],
            'enum': validation.BOOLEAN['enum'] + ['auto']}
        required = ['host', 'block_migration']
        if V_FORCE <= version < V_NO_FORCE:
            props['force'] = validation.BOOLEAN
    return {'type': 'object', 'properties': props, 'required': required,
            'additionalProperties': False}


def _block_migration(value):
    return 'auto' if value == 'auto' else validation.as_bool(value)


def migrate_live(resource, req, resp, server_id, params):
    """POST /servers/{id}/action {"os-migrateLive": ...} (202)."""
    version = req.context.api_version
    ctxt = req.context.ctxt
    instance = resource.get_writable(req, server_id, RULE)
    host = params.get('host')
    force = host is not None and validation.as_bool(
        params.get('force', False))
    wait = version < V_ASYNC
    try:
        resource.conductor.live_migrate_instance(
            ctxt, instance['uuid'], host,
            _block_migration(params['block_migration']), force, wait)
    except (exception.NoValidHost, exception.ComputeHostNotFound) as error:
        # Nova answers 400 when the host is unknown or none fits.
        raise exception.Invalid(error.message)
    resp.status = falcon.HTTP_202


HANDLERS = {'os-migrateLive': migrate_live}
SCHEMAS = {'os-migrateLive': migrate_live_schema}


def _migration_id(server_id, migration_id):
    if not migration_id.isdigit() or len(migration_id) > 18:
        raise exception.MigrationNotFoundForInstance(
            migration_id=migration_id, instance_id=server_id)
    return int(migration_id)


FORCE_COMPLETE_SCHEMA = {
    'type': 'object',
    'properties': {'force_complete': {'type': 'null'}},
    'required': ['force_complete'], 'additionalProperties': False}


class ServerMigrationAction(migrations._ServerMigrationsBase):
    """POST /servers/{id}/migrations/{id}/action (2.22)."""

    @validation.schema(FORCE_COMPLETE_SCHEMA, min_version=V_FORCE_COMPLETE)
    def on_post(self, req, resp, server_id, migration_id, body):
        instance = self.get_writable(
            req, server_id, 'os_compute_api:servers:migrations:force_complete')
        self.conductor.live_migration_force_complete(
            req.context.ctxt, instance['uuid'],
            _migration_id(server_id, migration_id))
        resp.status = falcon.HTTP_202


class ServerMigration(migrations.ServerMigration):
    """GET (migrations.py) and DELETE /servers/{id}/migrations/{id}."""

    def on_delete(self, req, resp, server_id, migration_id):
        """Abort a live migration (2.24): 202."""
        microversion.require(req, V_ABORT)
        instance = self.get_writable(
            req, server_id, 'os_compute_api:servers:migrations:delete')
        self.conductor.live_migration_abort(
            req.context.ctxt, instance['uuid'],
            _migration_id(server_id, migration_id),
            early=req.context.api_version >= V_ABORT_EARLY)
        resp.status = falcon.HTTP_202
