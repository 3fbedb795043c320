"""A real Keystone for functional tests, from its own venv (.venv-keystone).

tools/install.sh installs Keystone and gunicorn from PyPI into that venv
(their pins clash with ours). Each `Keystone` gets a temp directory with a
keystone.conf, SQLite and fernet key repositories, is bootstrapped with
`keystone-manage` (admin, roles admin/member/reader, RegionOne, identity
endpoints), is served by gunicorn on a free port through
tools/keystone_wsgi.py, and gets a demo project with a member and a reader,
and a second project with its own member. `stop()` removes it all.
Without the venv the tests skip, or fail under NOVA_TEST_REQUIRE_SERVICES=1.

SQLite serves the functional tests' few concurrent requests. A heavier
client (Tempest creating and deleting projects and users from several
workers) makes gunicorn's threads collide on SQLite's one writer lock
("database is locked" 500s). `database='postgresql'` gives Keystone a
fresh PostgreSQL database instead (dropped by `stop()`), and `cache=True`
an in-process cache: measured with 3 clients creating, using and deleting
projects and users, SQLite with one thread took 0.36-0.45 s a request,
0.19 s with the cache; PostgreSQL with 4 threads 0.19 s, 0.09 s with the
cache (SQLite with 4 threads: 19 of 30 cycles hit "database is locked").
"""

import grp
import os
import pwd
import shutil
import subprocess
import tempfile
import textwrap
import time

import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from tests import services
from tests.functional import deployment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
VENV = os.environ.get('NOVA_TEST_KEYSTONE_VENV',
                      os.path.join(ROOT, '.venv-keystone'))
ADMIN_PASSWORD = 'admin-secret'
PASSWORD = 'user-secret'
NOVA_PASSWORD = 'nova-secret'
# user name -> (project, role)
USERS = {
    'demo-member': ('demo', 'member'),
    'demo-reader': ('demo', 'reader'),
    'other-member': ('other', 'member'),
}


def require_keystone(database='sqlite'):
    if not os.path.exists(os.path.join(VENV, 'bin', 'keystone-manage')):
        services.unavailable('Keystone is not installed in %s (run '
                             'tools/install.sh)' % VENV)
    if database == 'postgresql':
        services.require('PostgreSQL', services.POSTGRES)
        found = subprocess.run([os.path.join(VENV, 'bin', 'python'), '-c',
                                'import psycopg2'], capture_output=True)
        if found.returncode:
            services.unavailable('psycopg2 is not installed in %s (run '
                                 'tools/install.sh)' % VENV)


class Keystone:

    def __init__(self, threads=4, database='sqlite', cache=False):
        self.threads = threads
        self.database = database
        self.cache = cache
        self._drop_database = None
        self.dir = tempfile.mkdtemp(prefix='keystone-func-')
        self.port = deployment._free_port()
        self.url = 'http://127.0.0.1:%d/v3' % self.port
        self.conf = os.path.join(self.dir, 'keystone.conf')
        self.proc = None
        self.log = None
        self.project_ids = {}

    def _manage(self, *args):
        subprocess.run(
            [os.path.join(VENV, 'bin', 'keystone-manage'), '--config-file',
             self.conf] + list(args),
            check=True, capture_output=True, text=True, timeout=120)

    def _write_conf(self):
        connection = 'sqlite:///%s/keystone.db' % self.dir
        if self.database != 'sqlite':
            connection, self._drop_database = services.create_database(
                self.database)
        with open(self.conf, 'w') as f:
            f.write(textwrap.dedent('''\
                [DEFAULT]
                log_file = %(dir)s/keystone.log
                [database]
                connection = %(connection)s
                [identity]
                # bcrypt's cheapest cost: test users need no strong hash,
                # and the default cost (12) is slow on purpose, paid per
                # user created and per password checked.
                password_hash_rounds = 4
                [token]
                provider = fernet
                [fernet_tokens]
                key_repository = %(dir)s/fernet-keys
                [fernet_receipts]
                key_repository = %(dir)s/fernet-keys
                [credential]
                key_repository = %(dir)s/credential-keys
                ''') % {'dir': self.dir, 'connection': connection})
            if self.cache:
                # One gunicorn worker, so an in-process cache stays
                # coherent; it spares the database most token validations
                # and role lookups.
                f.write('[cache]\nenabled = true\n'
                        'backend = dogpile.cache.memory\n')

    def start(self):
        require_keystone(self.database)
        try:
            self._write_conf()
            owner = ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
                     '--keystone-group', grp.getgrgid(os.getgid()).gr_name]
            self._manage('db_sync')
            self._manage('fernet_setup', *owner)
            self._manage('credential_setup', *owner)
            self._manage('bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                         '--bootstrap-region-id', 'RegionOne',
                         '--bootstrap-public-url', self.url,
                         '--bootstrap-internal-url', self.url,
                         '--bootstrap-admin-url', self.url)
            self._serve()
            self._add_projects_and_users()
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self):
        self.log = open(os.path.join(self.dir, 'gunicorn.log'), 'w')
        env = dict(os.environ, OS_KEYSTONE_CONFIG_FILES=self.conf)
        self.proc = subprocess.Popen(
            [os.path.join(VENV, 'bin', 'gunicorn'),
             '--bind', '127.0.0.1:%d' % self.port, '--workers', '1',
             '--threads', str(self.threads), '--pythonpath', os.path.join(ROOT, 'tools'),
             'keystone_wsgi:application'],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('gunicorn exited:\n' + self.logs())
            try:
                if requests.get(self.url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError('Keystone not ready:\n' + self.logs())

    def logs(self):
        out = []
        for name in ('gunicorn.log', 'keystone.log'):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path) as f:
                    out.append('--- %s ---\n%s' % (name, f.read()[-3000:]))
        return '\n'.join(out)

    # -- identity content --------------------------------------------------

    def session(self, user='admin', project='admin', password=None):
        auth = v3.Password(
            auth_url=self.url, username=user,
            password=password or (ADMIN_PASSWORD if user == 'admin'
                                  else PASSWORD),
            project_name=project, user_domain_id='default',
            project_domain_id='default')
        return ks_session.Session(auth=auth)

    def token(self, user, project=None):
        project = project or USERS.get(user, ('admin',))[0]
        return self.session(user, project).get_token()

    def _add_projects_and_users(self):
        admin = self.session()

        def post(path, body):
            return admin.post(self.url + path, json=body).json()
        roles = {r['name']: r['id'] for r in admin.get(
            self.url + '/roles').json()['roles']}
        for project in sorted({p for p, _role in USERS.values()}):
            self.project_ids[project] = post('/projects', {'project': {
                'name': project, 'domain_id': 'default'}})['project']['id']
        self.project_ids['admin'] = admin.get_project_id()
        for user, (project, role) in USERS.items():
            user_id = post('/users', {'user': {
                'name': user, 'password': PASSWORD,
                'domain_id': 'default'}})['user']['id']
            admin.put(self.url + '/projects/%s/users/%s/roles/%s' % (
                self.project_ids[project], user_id, roles[role]))

    # -- what nova and clients are given -----------------------------------

    def authtoken_conf(self, user='nova', password=NOVA_PASSWORD):
        """nova.conf lines for nova-api to validate tokens here."""
        return textwrap.dedent('''\
            [api]
            auth_strategy = keystone
            [keystone_authtoken]
            www_authenticate_uri = %(url)s
            auth_url = %(url)s
            auth_type = password
            username = %(user)s
            password = %(password)s
            project_name = service
            user_domain_name = Default
            project_domain_name = Default
            service_token_roles_required = true
            ''') % {'url': self.url, 'user': user, 'password': password}

    def admin_cli_args(self):
        """--os-* options for admin tools (nova-manage keystone register)."""
        return ['--os-auth-url', self.url, '--os-username', 'admin',
                '--os-password', ADMIN_PASSWORD, '--os-project-name',
                'admin', '--os-user-domain-id', 'default',
                '--os-project-domain-id', 'default']

    def stop(self):
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.log:
            self.log.close()
            self.log = None
        if self._drop_database:
            self._drop_database()
            self._drop_database = None
        if os.environ.get('NOVA_TEST_KEEP_LOGS') != '1':
            shutil.rmtree(self.dir, ignore_errors=True)
