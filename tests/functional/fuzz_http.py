"""What the API fuzzer sends and what it checks: a request as it goes on
the wire (with a curl command line to send it again), a raw keep-alive
HTTP client, and the rules every answer must pass."""

import http.client
import json
import re
import urllib.parse

LEAKS = ('Traceback', 'File "', 'sqlalchemy', 'psycopg', 'pymysql',
         'SELECT ', 'INSERT ')


class Request:
    """One request as it goes on the wire: the path and query already
    percent-encoded (or not, where that is the point), the body bytes."""

    def __init__(self, method, path, query=(), headers=None, body=None,
                 chunked=False, raw_utf8=False):
        self.method = method
        self.path = path
        self.query = list(query)
        self.headers = dict(headers or {})
        self.body = body
        self.chunked = chunked
        self.raw_utf8 = raw_utf8

    @property
    def target(self):
        query = '&'.join(self.query)
        return self.path + ('?' + query if query else '')

    def curl(self, base_url, body_file):
        """A shell command sending this request again; a body is written
        to `body_file` first."""
        parts = ['curl', '-si', '--path-as-is', '-X', self.method,
                 _shell(base_url + self.target)]
        for name, value in self.headers.items():
            parts += ['-H', _shell('%s: %s' % (name, value))]
        if self.chunked:
            parts += ['-H', "'Transfer-Encoding: chunked'"]
        if self.body is not None:
            with open(body_file, 'wb') as f:
                f.write(self.body)
            parts += ['--data-binary', _shell('@%s' % body_file)]
        return ' '.join(parts)

    def __repr__(self):
        return 'Request(%s %s, headers=%r, body=%r, chunked=%s)' % (
            self.method, self.target[:2000], self.headers,
            None if self.body is None else self.body[:2000], self.chunked)


def _shell(text):
    return "'%s'" % text.replace("'", "'\\''")


class Response:
    """Status, headers (lower-case names) and body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body


class RawConnection(http.client.HTTPConnection):
    """Sends the request line's non-ASCII text as raw UTF-8 when asked."""

    raw_utf8 = False

    def _encode_request(self, request):
        if self.raw_utf8:
            return request.encode('utf-8', 'surrogateescape')
        return super()._encode_request(request)


class Client:
    """One keep-alive connection to the API, opened again when closed."""

    def __init__(self, host, port, timeout=60):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None
        self.sent = 0

    def send(self, req):
        if self.conn is None:
            self.conn = RawConnection(self.host, self.port,
                                      timeout=self.timeout)
        conn = self.conn
        conn.raw_utf8 = req.raw_utf8
        self.sent += 1
        try:
            try:
                self._write(conn, req)
            except (BrokenPipeError, ConnectionResetError):
                # The server answered before reading the whole request
                # (a 400 or 413, closing): its answer is still readable.
                pass
            resp = conn.getresponse()
            data = resp.read()
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.will_close:
                self.close()
            return Response(resp.status, headers, data)
        except Exception:
            self.close()
            raise

    @staticmethod
    def _write(conn, req):
        conn.putrequest(req.method, req.target, skip_accept_encoding=True)
        for name, value in req.headers.items():
            conn.putheader(name, value)
        body = req.body
        if req.chunked:
            conn.putheader('Transfer-Encoding', 'chunked')
            conn.endheaders()
            for start in range(0, len(body or b''), 4096):
                piece = body[start:start + 4096]
                conn.send(b'%x\r\n%s\r\n' % (len(piece), piece))
            conn.send(b'0\r\n\r\n')
        else:
            if body is not None:
                conn.putheader('Content-Length', str(len(body)))
            conn.endheaders(body)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def nodes(value, path=()):
    """(path, value) of `value` and of everything inside it."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nodes(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nodes(item, path + (index,))


def _not_json(name):
    raise ValueError('%s is not JSON' % name)


def _json(body):
    """Strict: UTF-8, and no NaN or Infinity."""
    return json.loads(body.decode('utf-8'), parse_constant=_not_json)


def _api_of(path):
    path = urllib.parse.unquote(path.split('?', 1)[0])
    if path == '/image' or path.startswith('/image/'):
        return 'image'
    if path == '/identity' or path.startswith('/identity/'):
        return 'identity'
    return 'compute'


def error_shape_problem(api, status, data):
    """Why an error body is not its API's shape, or None."""
    if api == 'image':
        # Glance: {"code": "404 Not Found", "title": ..., "message": ...}
        if not (isinstance(data, dict) and
                str(data.get('code', '')).startswith('%d ' % status) and
                isinstance(data.get('title'), str) and
                isinstance(data.get('message'), str)):
            return "not Glance's error body"
        return None
    if api == 'identity':
        # Keystone: {"error": {"code": 404, "title": ..., "message": ...}}
        error = data.get('error') if isinstance(data, dict) else None
        if not (isinstance(error, dict) and error.get('code') == status and
                isinstance(error.get('message'), str) and
                isinstance(error.get('title'), str)):
            return "not Keystone's error body"
        return None
    if not (isinstance(data, dict) and len(data) == 1):
        return "not Nova's error body"
    [(_name, error)] = data.items()
    if not (isinstance(error, dict) and error.get('code') == status and
            isinstance(error.get('message'), str)):
        return "not Nova's error body (code must equal the status)"
    return None


# 2xx bodies that are not JSON by design: the dashboard's files, an
# image's data, oslo.middleware's health check (text or HTML unless JSON
# is asked for) and Prometheus text.
_RAW_2XX = re.compile(r'^/dashboard(/|$)|^/image/v2/images/[^/]+/file/?$'
                      r'|^/healthcheck/?$|^/metrics$')


def _is_admin(req):
    """Whether noauth2 takes the caller for an admin (middleware.py)."""
    token = req.headers.get('X-Auth-Token') or ''
    if token == 'notused':
        token = ''
    user, _, rest = token.partition(':')
    roles = rest.partition(':')[2]
    if roles:
        return 'admin' in roles.split(',')
    return (user or req.headers.get('X-Auth-User') or 'admin') == 'admin'


def _without_operator_tracebacks(data):
    """`data` less what Nova shows admins on purpose: a fault's details
    and an action event's traceback."""
    for _path, node in list(nodes(data)):
        if isinstance(node, dict):
            if isinstance(node.get('fault'), dict):
                node['fault'].pop('details', None)
            node.pop('traceback', None)
    return data


def problems(req, resp):
    """What is wrong with `resp` as an answer to `req` (empty if none)."""
    found = []
    status = resp.status
    text = resp.body.decode('utf-8', 'replace')
    if status < 300 and _is_admin(req) and 'json' in resp.headers.get(
            'content-type', ''):
        try:
            text = json.dumps(_without_operator_tracebacks(
                _json(resp.body)), ensure_ascii=False)
        except ValueError:
            pass
    # 501 notImplemented answers what Nova serves and this cloud does not
    # do (an action such as migrate; os-hosts' power actions): deliberate,
    # in Nova's error body like a 4xx.
    deliberate = status == 501 and _api_of(req.path) == 'compute'
    if status >= 500 and not deliberate:
        found.append('%d: the API failed (nothing is down)' % status)
    for leak in LEAKS:
        at = text.find(leak)
        if at >= 0:
            found.append('the body shows %r: ...%s...' % (
                leak, text[max(0, at - 300):at + 300]))
    is_error = 400 <= status < 500 or deliberate
    if req.method == 'HEAD' or not resp.body:
        if is_error and req.method != 'HEAD':
            found.append('a %d without a body' % status)
        return found
    content_type = resp.headers.get('content-type', '')
    path = urllib.parse.unquote(req.path)
    if is_error:
        try:
            data = _json(resp.body)
        except ValueError:
            return found + ['a %d whose body is not JSON' % status]
        problem = error_shape_problem(_api_of(req.path), status, data)
        if problem:
            found.append(problem)
        elif deliberate and 'notImplemented' not in data:
            found.append('a 501 that is not notImplemented')
    elif 'json' in content_type:
        try:
            _json(resp.body)
        except ValueError:
            found.append('a %d whose JSON body does not parse' % status)
    elif not _RAW_2XX.match(path):
        found.append('a %d with a %r body where JSON is due' % (
            status, content_type))
    return found
