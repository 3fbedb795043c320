"""The README's first command: nova-all-in-one boots servers on its own."""

import os
import re
import signal
import subprocess
import sys
import time

import requests

from nova_console import wsclient
from tests.notify_listener import NotifyListener

BIN = os.path.dirname(sys.executable)


def _start(state_dir, *extra, command=None, **popen_args):
    """The all-in-one (`command`, else the installed one), started; the
    process, its API's URL and what it printed until its banner."""
    command = command or [os.path.join(BIN, 'nova-all-in-one')]
    proc = subprocess.Popen(
        command + ['--port', '0', '--metadata-port', '0', '--ec2-port', '0',
                   '--serial-proxy-port', '0', '--novnc-proxy-port', '0',
                   '--state-dir', str(state_dir)] +
        list(extra),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        **popen_args)
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r'Compute API: (http://\S+)/v2\.1/', line)
        if match:
            return proc, match.group(1), lines
    proc.kill()
    raise AssertionError('no banner:\n' + ''.join(lines))


def _wait(url, server_id, wanted):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        resp = requests.get('%s/v2.1/servers/%s' % (url, server_id))
        if resp.status_code == 404 and wanted == 'GONE':
            return None
        if resp.ok and resp.json()['server']['status'] == wanted:
            return resp.json()['server']
        time.sleep(0.05)
    raise AssertionError('%s never became %s' % (server_id, wanted))


def test_all_in_one_boots_and_deletes_a_server(tmp_path):
    proc, url, lines = _start(tmp_path / 'state', '--compute-hosts', '2',
                              '--host-vcpus', '8', '--host-memory-mb', '8192')
    try:
        while not lines[-1].startswith('Stop with Ctrl-C'):
            lines.append(proc.stdout.readline())
        banner = ''.join(lines)
        assert re.search(r'Dashboard: +%s/dashboard/' % url, banner), banner
        # The banner's curl line boots a server as is.
        body = re.search(r"-d '(\{.*\})'", banner)
        assert body, banner
        resp = requests.post(url + '/v2.1/servers', data=body.group(1),
                             headers={'Content-Type': 'application/json'})
        assert resp.status_code == 202, resp.text
        server = _wait(url, resp.json()['server']['id'], 'ACTIVE')
        assert server['OS-EXT-SRV-ATTR:host'].endswith(('-compute-1',
                                                        '-compute-2'))
        address = server['addresses']['private'][0]['addr']
        assert address == '10.0.0.2'
        # The banner's metadata line shows what this guest sees.
        asked = re.search(r'curl -s -H "X-Forwarded-For: ([0-9.]+)" '
                          r'(http://\S+/openstack/latest/meta_data.json)',
                          banner)
        assert asked and asked.group(1) == address, banner
        assert re.search(r'Metadata API: %s/' % re.escape(
            asked.group(2).split('/openstack')[0]), banner), banner
        meta = requests.get(asked.group(2),
                            headers={'X-Forwarded-For': address})
        assert meta.status_code == 200, meta.text
        assert meta.json()['uuid'] == server['id']
        assert meta.json()['name'] == server['name'] == 'demo'
        # Its serial console, through the all-in-one's own proxy, to the
        # simulated guest's stand-in (which echoes).
        console = requests.post(
            '%s/v2.1/servers/%s/remote-consoles' % (url, server['id']),
            headers={'OpenStack-API-Version': 'compute 2.6'},
            json={'remote_console': {'protocol': 'serial',
                                     'type': 'serial'}})
        assert console.status_code == 200, console.text
        ws = wsclient.WebSocket(console.json()['remote_console']['url'])
        ws.send(b'hi\r')
        assert ws.read_until(b'hi\r') == b'hi\r'
        ws.close()
        flavors = requests.get(url + '/v2.1/flavors').json()['flavors']
        assert {'m1.tiny', 'm1.small'} <= {f['name'] for f in flavors}
        # A snapshot: the compute uploads to the API's /image, on the
        # port picked at start (--port 0).
        resp = requests.post('%s/v2.1/servers/%s/action' % (
            url, server['id']), json={'createImage': {'name': 'aio-snap'}},
            headers={'OpenStack-API-Version': 'compute 2.45'})
        assert resp.status_code == 202, resp.text
        image_url = '%s/image/v2/images/%s' % (url, resp.json()['image_id'])
        deadline = time.monotonic() + 30
        while requests.get(image_url).json()['status'] != 'active':
            assert time.monotonic() < deadline, requests.get(image_url).text
            time.sleep(0.05)
        _wait(url, server['id'], 'ACTIVE')
        assert requests.delete('%s/v2.1/servers/%s' % (
            url, server['id'])).status_code == 204
        _wait(url, server['id'], 'GONE')
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert (tmp_path / 'state' / 'nova.sqlite').exists()


def test_all_in_one_restarts_on_its_state(tmp_path):
    proc, url, _ = _start(tmp_path / 'state')
    try:
        resp = requests.post(url + '/v2.1/flavors', json={'flavor': {
            'name': 'kept', 'ram': 64, 'vcpus': 1, 'disk': 0, 'id': 'kept'}})
        assert resp.status_code == 200, resp.text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    proc, url, _ = _start(tmp_path / 'state')
    try:
        got = requests.get(url + '/v2.1/flavors/kept')
        assert got.status_code == 200 and got.json()['flavor']['ram'] == 64
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_lookups_of_what_does_not_exist_log_no_error(tmp_path):
    # 40 GETs a mistyped script makes: 404s, an INFO line each, no ERROR
    # line and no traceback in the all-in-one's output.
    proc, url, lines = _start(tmp_path / 'state')
    try:
        for i in range(20):
            assert requests.get(
                url + '/v2.1/servers/00000000-0000-4000-8000-%012d' % i
            ).status_code == 404
            assert requests.get(
                url + '/v2.1/flavors/no-such-%d' % i).status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    text = ''.join(lines) + out
    assert [line for line in text.splitlines()
            if ' ERROR ' in line or 'Traceback' in line] == []
    assert len(re.findall(r' INFO common\.rpc .* answered '
                          r'(InstanceNotFound|FlavorNotFound)', text)) == 40


def test_all_in_one_tells_systemd_it_is_ready_and_alive(tmp_path):
    # As a Type=notify unit with WatchdogSec=1 would run it.
    listener = NotifyListener(tmp_path)
    proc, url, _ = _start(tmp_path / 'state',
                          env=listener.env(watchdog_sec=1))
    try:
        listener.wait_for(lambda m: len(m) >= 1)
        assert listener.messages[0] == 'READY=1\nMAINPID=%d' % proc.pid
        assert requests.get(url + '/v2.1/flavors').status_code == 200
        listener.wait_for(lambda m: listener.count('WATCHDOG=1') >= 2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    try:
        assert proc.returncode == 0
        listener.wait_for(lambda m: m[-1] == 'STOPPING=1')
        assert listener.count('READY=1') == 1
    finally:
        listener.close()


def _banner(proc, lines):
    while not lines[-1].startswith('Stop with Ctrl-C'):
        line = proc.stdout.readline()
        assert line, ''.join(lines)
        lines.append(line)
    return ''.join(lines)


def _ec2_banner(banner):
    """(EC2 URL, access key, secret) the banner prints, and its AWS CLI
    line's URL."""
    url = re.search(r'^  EC2 API: (http://\S+/)$', banner, re.M)
    keys = re.search(r'AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+) '
                     r'AWS_DEFAULT_REGION=RegionOne', banner)
    assert url and keys, banner
    assert 'aws --endpoint-url %s ec2 describe-instances' % url.group(1) \
        in banner
    return url.group(1), keys.group(1), keys.group(2)


def test_the_banners_ec2_keys_work_at_once_and_stay(tmp_path):
    import boto3
    proc, url, lines = _start(tmp_path / 'state')
    try:
        ec2_url, access, secret = _ec2_banner(_banner(proc, lines))
        ec2 = boto3.client('ec2', endpoint_url=ec2_url,
                           region_name='RegionOne',
                           aws_access_key_id=access,
                           aws_secret_access_key=secret)
        image = ec2.describe_images()['Images'][0]
        assert image['Name'] == 'demo-image'
        run = ec2.run_instances(ImageId=image['ImageId'],
                                InstanceType='m1.tiny', MinCount=1,
                                MaxCount=1)
        assert run['OwnerId'] == 'admin'
        iid = run['Instances'][0]['InstanceId']
        ec2.get_waiter('instance_running').wait(
            InstanceIds=[iid], WaiterConfig={'Delay': 1, 'MaxAttempts': 60})
        # The same server through the Compute API.
        servers = requests.get(url + '/v2.1/servers').json()['servers']
        assert ['i-' + s['id'].replace('-', '')[:17] for s in servers] == [
            iid]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    # Made at the first start: the same keys after a restart.
    proc, url, lines = _start(tmp_path / 'state')
    try:
        assert _ec2_banner(_banner(proc, lines))[1:] == (access, secret)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_an_ec2_port_in_use_costs_the_ec2_api_only(tmp_path):
    import socket
    taken = socket.socket()
    taken.bind(('127.0.0.1', 0))
    taken.listen()
    try:
        proc, url, lines = _start(tmp_path / 'state', '--ec2-port',
                                  str(taken.getsockname()[1]))
        try:
            banner = _banner(proc, lines)
            assert ('  EC2 API: not started (port %d in use; see '
                    '--ec2-port)' % taken.getsockname()[1]) in banner
            assert requests.get(url + '/v2.1/servers').ok
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    finally:
        taken.close()
