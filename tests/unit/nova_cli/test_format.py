"""Readable values for tables, raw ones for scripts; error bodies."""

import argparse

import pytest

from nova_cli import format
from nova_cli import http
from nova_cli.commands import servers
from nova_cli.commands import views


def test_columns_read_well_and_stay_raw_for_machines():
    metadata = format.DictColumn({'b': '2', 'a': 1})
    assert metadata.human_readable() == "a='1', b='2'"
    assert metadata.machine_readable() == {'b': '2', 'a': 1}
    assert format.ListColumn(['h1', 'h2']).human_readable() == 'h1, h2'
    addresses = format.AddressesColumn({'private': [
        {'addr': '10.0.0.2'}, {'addr': '10.0.0.3'}]})
    assert addresses.human_readable() == 'private=10.0.0.2, 10.0.0.3'
    assert format.PowerStateColumn(4).human_readable() == 'Shutdown'
    assert format.PowerStateColumn(4).machine_readable() == 4


def test_key_value_option():
    assert format.key_value('a=b=c') == ('a', 'b=c')
    assert format.key_value('empty=') == ('empty', '')
    with pytest.raises(argparse.ArgumentTypeError):
        format.key_value('novalue')


def test_flavor_is_read_from_the_2_1_link_or_the_2_47_embedded_shape():
    linked = {'flavor': {'id': '1', 'links': []}}
    embedded = {'flavor': {'original_name': 'm1.tiny', 'vcpus': 1}}
    names = {'1': 'm1.tiny'}
    assert views.flavor_of(linked, names).human_readable() == 'm1.tiny (1)'
    assert views.flavor_of(embedded, {}).human_readable() == 'm1.tiny'
    assert views.flavor_of(linked, names).machine_readable() == {
        'id': '1', 'name': 'm1.tiny'}


def test_image_may_be_empty_for_a_volume_backed_server():
    assert views.image_of({'image': ''}, {}).human_readable() == ''
    assert views.image_of({'image': {'id': 'i1'}}, {'i1': 'cirros'}
                          ).human_readable() == 'cirros (i1)'


def test_server_fields_show_the_fault_and_admin_fields_only_when_present():
    server = {'id': 's1', 'name': 'vm', 'status': 'ERROR',
              'flavor': {'id': '5'}, 'image': {'id': 'i1'},
              'fault': {'message': 'No valid host was found.'}}
    names, values = views.server_fields(server, {}, {})
    shown = dict(zip(names, values))
    assert shown['fault'] == 'No valid host was found.'
    assert 'host' not in shown
    server['OS-EXT-SRV-ATTR:host'] = 'compute1'
    names, values = views.server_fields(server, {}, {})
    assert dict(zip(names, values))['host'] == 'compute1'


def test_repeated_hints_become_lists():
    assert servers.build_hints([('group', 'g'), ('same_host', 'a'),
                                ('same_host', 'b')]) == {
        'group': 'g', 'same_host': ['a', 'b']}


@pytest.mark.parametrize('body, message', [
    ('{"itemNotFound": {"code": 404, "message": "Instance x could not be '
     'found."}}', 'Instance x could not be found.'),
    ('{"message": "glance says no"}', 'glance says no'),
    ('404 Not Found\n\nThe resource could not be found.',
     '404 Not Found\n\nThe resource could not be found.'),
    ('<html>proxy error</html>', 'HTTP 502'),
    ('', 'HTTP 502'),
])
def test_error_message_prefers_the_api_message(body, message):
    assert http.error_message(502, body) == message
