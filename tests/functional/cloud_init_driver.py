"""Runs one of cloud-init's readers and prints what it parsed, as JSON.

This file runs under cloud-init's own interpreter (.venv-cloud-init: Debian's
python3 with Debian's cloud-init package unpacked), never inside the test
process: tests/functional/cloud_init_readers.py starts it as
`python -I cloud_init_driver.py`, writes {"op": ..., "args": {...}} to its
stdin and reads one JSON object from its stdout:
{"result": ...} on success, or {"error": {"type": ..., "message": ...}}
with exit status 1 when the reader raised. Exit status 3 means cloudinit
itself could not be imported. cloud-init's log goes to stderr.

Only the standard library and cloudinit are imported: nothing from the
project, whose dependencies this interpreter does not have.
"""

import base64
import http.client
import http.server
import json
import logging
import os
import sys
import threading
import urllib.parse

# Set by the caller's environment? Then cloud-init's requests would honour
# it. Every op starts without one; openstack_metadata sets its own.
for _name in ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'):
    os.environ.pop(_name, None)
    os.environ.pop(_name.upper(), None)

try:
    import requests
    from cloudinit import log as ci_log
    from cloudinit import util, version
    from cloudinit.sources import DataSourceConfigDrive
    from cloudinit.sources.helpers import ec2
    from cloudinit.sources.helpers import openstack
except ImportError as exc:
    sys.stderr.write('cannot import cloudinit: %s\n' % exc)
    sys.exit(3)

# The address cloud-init's OpenStack reader reads EC2 metadata from, always
# (MetadataReader._read_ec2_metadata takes no address). Requests for it are
# answered by the proxy below, never sent there.
LINK_LOCAL = 'http://169.254.169.254/'
# Hop-by-hop headers a proxy does not pass on.
HOP_BY_HOP = {'connection', 'proxy-connection', 'keep-alive', 'host',
              'proxy-authorization', 'te', 'trailer', 'transfer-encoding',
              'upgrade'}


class ReaderError(Exception):
    """cloud-init reported a failure it would otherwise only log."""


def jsonable(value):
    """cloud-init's result with every bytes value as base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode('ascii')
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def as_base64(data):
    """User data, which cloud-init returns as bytes, or '' when absent."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    return base64.b64encode(data).decode('ascii')


def read_v2_result(result):
    """read_v2's dict, JSON-able, its user data always base64 text."""
    result = dict(result, userdata=as_base64(result.get('userdata') or b''))
    return jsonable(result)


class WarningCollector(logging.Handler):
    """Keeps cloud-init's warnings: its EC2 helper logs a failed read and
    returns an empty answer, which must not pass for a real one."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []
        logging.getLogger().addHandler(self)

    def emit(self, record):
        self.messages.append(record.getMessage())

    def raise_if_any(self):
        if self.messages:
            raise ReaderError('; '.join(self.messages))


class MetadataProxy(http.server.ThreadingHTTPServer):
    """A stand-in for Neutron's metadata proxy, between cloud-init and the
    metadata service: it adds the identifying headers to each request and
    sends it to the service, whatever host cloud-init asked for."""

    daemon_threads = True

    def __init__(self, base_url, headers):
        super().__init__(('127.0.0.1', 0), ProxyHandler)
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme != 'http':
            raise ValueError('the metadata service must be plain http: %s'
                             % base_url)
        self.upstream = (parsed.hostname, parsed.port or 80)
        self.upstream_netloc = parsed.netloc
        self.prefix = parsed.path.rstrip('/')
        self.headers = dict(headers)

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server_address[1]


class ProxyHandler(http.server.BaseHTTPRequestHandler):

    def do_GET(self):
        self._forward()

    def do_POST(self):
        self._forward()

    def _forward(self):
        # A proxied request line carries the absolute URL.
        target = urllib.parse.urlsplit(self.path)
        path = target.path or '/'
        if target.netloc != self.server.upstream_netloc:
            path = self.server.prefix + path
        if target.query:
            path += '?' + target.query
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP}
        headers.update(self.server.headers)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        # http.client, not urllib: it ignores proxy variables, so this
        # request goes to the service and not back to this proxy.
        conn = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        try:
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        sys.stderr.write('proxy: %s %s -> %s (sent as %s)\n' % (
            self.command, self.path, resp.status, path))
        self.send_response(resp.status)
        for name in ('Content-Type',):
            if resp.getheader(name):
                self.send_header(name, resp.getheader(name))
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


def openstack_metadata(base_url, headers, retries=0, timeout=10):
    # MetadataReader passes no headers to url_helper.readurl, as in a real
    # guest, where the proxy adds them. So cloud-init runs unmodified and
    # requests' documented http_proxy variable routes its requests through
    # MetadataProxy, which adds them.
    collector = WarningCollector()
    proxy = MetadataProxy(base_url, headers)
    threading.Thread(target=proxy.serve_forever, args=(0.05,),
                     daemon=True).start()
    os.environ['http_proxy'] = proxy.url
    for url in (base_url, LINK_LOCAL):
        if requests.utils.get_environ_proxies(url).get('http') != proxy.url:
            raise RuntimeError('requests would not send %s through the '
                               'proxy; refusing to run' % url)
    try:
        reader = openstack.MetadataReader(base_url, timeout=timeout,
                                          retries=retries)
        result = reader.read_v2()
    finally:
        proxy.shutdown()
        proxy.server_close()
    # read_v2's EC2 part is read by the helper that only logs failures.
    collector.raise_if_any()
    return read_v2_result(result)


def ec2_metadata(base_url, headers, api_version='latest', retries=0,
                 timeout=10):
    collector = WarningCollector()

    def headers_cb(_url):
        return dict(headers)

    kwargs = dict(api_version=api_version, metadata_address=base_url,
                  timeout=timeout, retries=retries, headers_cb=headers_cb)
    meta_data = ec2.get_instance_metadata(**kwargs)
    user_data = ec2.get_instance_userdata(**kwargs)
    collector.raise_if_any()
    return {'meta_data': jsonable(meta_data),
            'user_data': as_base64(user_data)}


def config_drive(iso_path, directory):
    # The label and type as cloud-init's ConfigDrive datasource probes them
    # (blkid), against the labels and types it accepts.
    found = util.blkid(devs=[iso_path], disable_cache=True).get(iso_path, {})
    if (found.get('LABEL') not in DataSourceConfigDrive.LABEL_TYPES or
            found.get('TYPE') not in DataSourceConfigDrive.FS_TYPES):
        raise ReaderError('%s is no config drive to cloud-init: label %r, '
                          'type %r' % (iso_path, found.get('LABEL'),
                                       found.get('TYPE')))
    return read_v2_result(openstack.ConfigDriveReader(directory).read_v2())


def network_config(network_data, known_macs):
    return openstack.convert_net_json(network_data, known_macs=known_macs)


def cloud_init_version():
    return version.version_string()


OPS = {
    'openstack_metadata': openstack_metadata,
    'ec2_metadata': ec2_metadata,
    'config_drive': config_drive,
    'network_config': network_config,
    'version': cloud_init_version,
}


def main():
    # cloud-init's own log set-up: its import left only a NullHandler.
    ci_log.setupBasicLogging(logging.DEBUG)
    request = json.load(sys.stdin)
    try:
        result = OPS[request['op']](**request.get('args', {}))
    except Exception as exc:
        logging.getLogger(__name__).exception('%s failed', request['op'])
        json.dump({'error': {'type': type(exc).__name__,
                             'message': str(exc)}}, sys.stdout)
        return 1
    json.dump({'result': result}, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
