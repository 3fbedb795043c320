"""instances.auto_disk_config (OS-DCF:diskConfig): the migration that adds
it, how the conductor stores it, and the RPC version that carries it."""

import sqlalchemy as sa
from alembic import command

from nova_conductor import manager
from nova_conductor import rpcapi
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import migration
from nova_conductor.db import session
from tests.unit.nova_conductor import dbhelpers


def test_servers_there_before_the_migration_are_manual(tmp_path):
    session.configure('sqlite:///%s' % (tmp_path / 'old.sqlite'))
    try:
        migration.db_sync('0011')
        with session.get_engine().begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO instances (uuid, display_name, flavor, vcpus, "
                "memory_mb, root_gb, ephemeral_gb, vm_state, power_state, "
                "metadata, request_spec, launch_index, tags, deleted, "
                "created_at) VALUES ('u-1', 'old', '{}', 1, 512, 1, 0, "
                "'active', 1, '{}', '{}', 0, '[]', 0, "
                "'2026-12-01 00:00:00')"))
        migration.db_sync()
        assert migration.db_version() == migration.head()
        assert instances_db.get('u-1')['auto_disk_config'] is False
        with session.get_engine().begin() as conn:
            command.downgrade(migration._config(conn), '0011')
            columns = {c['name'] for c in sa.inspect(conn).get_columns(
                'instances')}
        assert 'auto_disk_config' not in columns
    finally:
        session.dispose()


def test_create_and_update_keep_the_mode(db):
    made = dbhelpers.make_instance(auto_disk_config=True)
    assert made['auto_disk_config'] is True
    assert instances_db.get(made['uuid'])['auto_disk_config'] is True
    plain = dbhelpers.make_instance()
    assert plain['auto_disk_config'] is False
    updated = transitions_db.update(plain['uuid'],
                                    {'auto_disk_config': True})
    assert updated['auto_disk_config'] is True
    assert instances_db.get(plain['uuid'])['auto_disk_config'] is True


def test_the_mode_travels_at_1_10_and_other_values_as_before():
    api = dbhelpers.SentRecorder()
    api.instance_update(None, 'u-1', {'auto_disk_config': True})
    api.instance_update(None, 'u-1', {'display_name': 'x'})
    api.rebuild_instance(None, 'u-1', 'img', {'auto_disk_config': False})
    api.rebuild_instance(None, 'u-1', 'img', {})
    api.rebuild_instance(None, 'u-1', 'img')
    assert api.sent == [('instance_update', '1.10'),
                        ('instance_update', '1.0'),
                        ('rebuild_instance', '1.10'),
                        ('rebuild_instance', '1.0'),
                        ('rebuild_instance', '1.0')]
    assert manager.ConductorManager.target.version == \
        rpcapi.ConductorAPI.RPC_API_VERSION == '1.26'
