"""Which real services (RabbitMQ, PostgreSQL, MySQL) tests may use.

Locally a missing service skips its tests; with NOVA_TEST_REQUIRE_SERVICES=1
(set by CI) it fails them, so CI can never pass by skipping.
"""

import os
import socket
import subprocess
import uuid

import pytest

RABBIT = os.environ.get('NOVA_TEST_RABBIT', '127.0.0.1:5672')
POSTGRES = os.environ.get('NOVA_TEST_POSTGRES', '127.0.0.1:5432')
MYSQL = os.environ.get('NOVA_TEST_MYSQL', '127.0.0.1:3306')


def _reachable(addr):
    host, port = addr.rsplit(':', 1)
    try:
        with socket.create_connection((host, int(port)), timeout=2):
            return True
    except OSError:
        return False


def require(name, addr):
    if not _reachable(addr):
        unavailable('%s is not reachable at %s' % (name, addr))


def unavailable(message):
    """Skip the test, or fail it when CI requires every service."""
    if os.environ.get('NOVA_TEST_REQUIRE_SERVICES') == '1':
        pytest.fail(message + ' (NOVA_TEST_REQUIRE_SERVICES=1)')
    pytest.skip(message)


def unique_name(prefix):
    return '%s_%s' % (prefix, uuid.uuid4().hex[:10])


def create_database(backend, prefix='nova_test'):
    """A fresh, empty database on a real server; returns (url, drop)."""
    import sqlalchemy as sa
    name = unique_name(prefix)
    if backend == 'postgresql':
        require('PostgreSQL', POSTGRES)
        admin_url = 'postgresql+psycopg2://postgres@%s/postgres' % POSTGRES
        url = 'postgresql+psycopg2://postgres@%s/%s' % (POSTGRES, name)
    elif backend == 'mysql':
        require('MySQL', MYSQL)
        admin_url = 'mysql+pymysql://root@%s/' % MYSQL
        url = 'mysql+pymysql://root@%s/%s?charset=utf8mb4' % (MYSQL, name)
    else:
        raise ValueError(backend)
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        conn.exec_driver_sql('CREATE DATABASE %s' % name)

    def drop():
        with engine.connect() as conn:
            if backend == 'postgresql':
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = '%s' AND pid <> pg_backend_pid()" % name)
            conn.exec_driver_sql('DROP DATABASE IF EXISTS %s' % name)
        engine.dispose()
    return url, drop


def rabbitmqctl(*args):
    subprocess.run(['rabbitmqctl', '-q'] + list(args), check=True,
                   capture_output=True, timeout=60)


def create_vhost(name):
    """A fresh RabbitMQ vhost `name` for guest; returns (url, delete)."""
    require('RabbitMQ', RABBIT)
    rabbitmqctl('add_vhost', name)
    rabbitmqctl('set_permissions', '-p', name, 'guest', '.*', '.*', '.*')
    return ('rabbit://guest:guest@%s/%s' % (RABBIT, name),
            lambda: rabbitmqctl('delete_vhost', name))
