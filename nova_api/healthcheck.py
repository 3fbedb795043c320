"""/healthcheck: oslo.middleware's healthcheck, with nova's two checks.

A load balancer or monitor polls it without a token: 200 when every
check passes, 503 when one fails, each check's one-line reason in the
body (text, JSON or HTML by the Accept header; HEAD for the code only).
With a token that passes os_compute_api:os-healthcheck:detailed (admins)
the same checks answer in oslo's detailed view: each check's details
(database dialect and latency, broker hosts), and the process's threads.

The checks (setup.cfg registers them with oslo.middleware; [healthcheck]
backends lists them, and may add oslo's, e.g. disable_by_file to drain
a node):
- conductor: a conductor answers and reaches its database (RPC 1.23
  check_database; an older conductor answers a ping);
- message_broker: a connection to a host of transport_url opens.

A check's result is reused for [healthcheck] cache_seconds, and one
request at a time runs it: a flood of polls costs one conductor call and
one broker connection per period.
"""

import logging
import threading
import time

import kombu
import oslo_messaging as messaging
from oslo_config import cfg
from oslo_middleware import healthcheck as oslo_healthcheck
from oslo_middleware.healthcheck import pluginbase

from common import context as nova_context
from common import exception
from common import rpc
from common.conf import CONF
from common.conf import healthcheck as healthcheck_conf

LOG = logging.getLogger(__name__)
PATH = '/healthcheck'
Result = pluginbase.HealthcheckResult


class Remembered:
    """The last result of a check, reused for [healthcheck] cache_seconds.

    The check runs in a thread of its own, one at a time: callers wait
    for the running one at most [healthcheck] timeout (+1 s) and then get
    `late` (an RPC call to a broker that cannot be reached may block far
    longer than its timeout). However many polls come, at most one
    thread per check is ever waiting.
    """

    def __init__(self, check, late, clock=time.monotonic):
        self.check = check
        self.late = late
        self.clock = clock
        self.lock = threading.Lock()
        self.result = None
        self.at = None
        self.running = None

    def get(self):
        with self.lock:
            fresh = (self.at is not None and self.clock() - self.at <
                     CONF.healthcheck.cache_seconds)
            if fresh:
                return self.result
            if self.running is None:
                self.running = threading.Thread(
                    target=self._run, daemon=True,
                    name='healthcheck-%s' % self.check.__name__)
                self.running.start()
            running = self.running
        running.join(CONF.healthcheck.timeout + 1)
        with self.lock:
            if running.is_alive():
                return Result(False, self.late, details='No answer in '
                              '%.1f s.' % (CONF.healthcheck.timeout + 1))
            return self.result

    def _run(self):
        try:
            result = self.check()
        except Exception as e:
            # A bug in a check is a failed check (503), not a 500.
            LOG.exception('Health check %s failed', self.check.__name__)
            result = Result(False, 'A health check failed unexpectedly.',
                            details=type(e).__name__)
        with self.lock:
            self.result, self.at, self.running = result, self.clock(), None


_conductor = None
_conductor_lock = threading.Lock()


def conductor_api():
    """One RPC client for the checks, made on the first check."""
    global _conductor
    with _conductor_lock:
        if _conductor is None:
            from nova_conductor import rpcapi as conductor_rpcapi
            _conductor = conductor_rpcapi.ConductorAPI()
        return _conductor


NO_CONDUCTOR = 'No conductor answered.'
NO_BROKER = 'The message broker is unreachable.'


def check_conductor():
    ctxt = nova_context.get_admin_context()
    try:
        answer = conductor_api().check_database(
            ctxt, timeout=CONF.healthcheck.timeout)
    except exception.DatabaseUnavailable as e:
        return Result(False, 'The conductor cannot reach the database.',
                      details=e.message)
    except (exception.ServiceUnavailable, messaging.MessagingException) as e:
        return Result(False, NO_CONDUCTOR,
                      details='%s: %s' % (type(e).__name__, e))
    if answer is None:
        return Result(True, 'A conductor answers.',
                      details='The conductor is older than RPC 1.23: its '
                              'database was not checked.')
    return Result(True, 'A conductor answers and reaches the database.',
                  details='%(dialect)s answered in %(ms)s ms' % answer)


def _broker():
    """The transport URL in use, and its (host, port, user, password)s."""
    url = messaging.TransportURL.parse(CONF, rpc.TRANSPORT_URL or
                                       CONF.transport_url)
    hosts = [(h.hostname, h.port or 5672, h.username, h.password)
             for h in url.hosts if h.hostname]
    # oslo.messaging's rabbit driver takes no host as localhost.
    return url, hosts or [('localhost', 5672, None, None)]


def _rabbit_ssl():
    # Registered by oslo.messaging's rabbit driver once it is loaded.
    try:
        return bool(CONF.oslo_messaging_rabbit.ssl)
    except cfg.NoSuchOptError:
        return False


def _connect(url, host, ssl, timeout):
    hostname, port, username, password = host
    conn = kombu.Connection(
        hostname=hostname, port=port, userid=username or 'guest',
        password=password or 'guest', virtual_host=url.virtual_host or '/',
        transport='pyamqp', ssl=ssl, connect_timeout=timeout)
    try:
        # connect() would sleep 2 s before its one retry.
        conn.ensure_connection(max_retries=1, interval_start=0,
                               interval_step=0, timeout=timeout)
    finally:
        conn.release()


def check_message_broker():
    url, hosts = _broker()
    if url.transport not in ('rabbit', 'amqp', 'pyamqp'):
        # The all-in-one's in-process messaging has no broker to lose.
        return Result(True, 'Messaging is %s (no broker).' % url.transport)
    states = []
    ssl = _rabbit_ssl()
    for host in hosts:
        where = '%s:%s' % host[:2]
        try:
            _connect(url, host, ssl, CONF.healthcheck.timeout)
        except Exception as e:
            states.append('%s unreachable (%s)' % (where, type(e).__name__))
            continue
        states.append('%s reachable' % where)
        # One reachable host is enough: oslo.messaging fails over.
        return Result(True, 'The message broker is reachable.',
                      details='; '.join(states))
    return Result(False, NO_BROKER,
                  details='; '.join(states))


_CONDUCTOR = Remembered(check_conductor, NO_CONDUCTOR)
_BROKER = Remembered(check_message_broker, NO_BROKER)


class ConductorCheck(pluginbase.HealthcheckBaseExtension):
    def healthcheck(self, server_port):
        return _CONDUCTOR.get()


class MessageBrokerCheck(pluginbase.HealthcheckBaseExtension):
    def healthcheck(self, server_port):
        return _BROKER.get()


def _detailed_conf():
    """The [healthcheck] options as they are, but detailed and open to
    any address (the caller is an authenticated admin), in a ConfigOpts
    of its own: oslo.middleware writes its settings into the one it is
    given."""
    private = cfg.ConfigOpts()
    private([], default_config_files=[], default_config_dirs=[])
    private.register_opts(healthcheck_conf.OSLO_OPTS, group='healthcheck')
    for opt in healthcheck_conf.OSLO_OPTS:
        private.set_override(opt.dest, CONF.healthcheck[opt.dest],
                             group='healthcheck')
    private.set_override('detailed', True, group='healthcheck')
    private.set_override('allowed_source_ranges', [], group='healthcheck')
    private.set_override('ignore_proxied_requests', False,
                         group='healthcheck')
    return private


def detailed_app():
    return oslo_healthcheck.Healthcheck(None, _detailed_conf())


def _has_token(environ):
    # keystoneauth1's `none` plugin sends "notused": that is no token.
    return environ.get('HTTP_X_AUTH_TOKEN', 'notused') != 'notused'


def wrap(app):
    """Answer /healthcheck without a token before `app` (auth included)
    sees it; with a token it goes through `app` (HealthcheckDetail)."""
    public = oslo_healthcheck.Healthcheck(app, CONF)

    def dispatch(environ, start_response):
        if (environ.get('PATH_INFO') in (PATH, PATH + '/') and
                not _has_token(environ)):
            return public(environ, start_response)
        return app(environ, start_response)
    dispatch.__wrapped__ = app  # what inspect.unwrap finds (tests' routes)
    return dispatch
