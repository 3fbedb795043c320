"""CreateKeyPair, ImportKeyPair, DescribeKeyPairs and DeleteKeyPair: the
caller's Nova key pairs."""

import base64
import binascii

from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import filters as ec2_filters

NOT_FOUND = 'InvalidKeyPair.NotFound'
# The last microversion whose POST generates a key pair (2.92 dropped it).
GENERATING_VERSION = '2.91'


def _pair(keypair):
    return {'KeyName': keypair['name'],
            'KeyFingerprint': keypair.get('fingerprint') or '',
            'KeyPairId': 'key-' + (keypair.get('fingerprint') or '')
            .replace(':', '')[:17],
            'KeyType': 'rsa' if keypair.get('public_key', '').startswith(
                'ssh-rsa') else 'ed25519' if 'ed25519' in keypair.get(
                'public_key', '') else 'rsa',
            'PublicKey': keypair.get('public_key')}


def _create(call, body, version=compute.VERSION):
    try:
        return call.compute.request('POST', '/os-keypairs',
                                    body={'keypair': body},
                                    version=version)['keypair']
    except compute.ComputeError as error:
        if error.status == 409:
            raise errors.Duplicate(
                "The keypair '%s' already exists." % body['name'],
                code='InvalidKeyPair.Duplicate')
        raise compute.ec2_error(error)


def create_key_pair(call, params):
    key_type = params.get('KeyType', 'rsa')
    if key_type != 'rsa':
        raise errors.InvalidParameterValue(
            "KeyType '%s' is not supported: this cloud generates rsa key "
            "pairs (ImportKeyPair takes any)." % key_type)
    keypair = _create(call, {'name': params['KeyName']},
                      version=GENERATING_VERSION)
    return {'KeyName': keypair['name'],
            'KeyFingerprint': keypair['fingerprint'],
            'KeyMaterial': keypair['private_key'],
            'KeyPairId': _pair(keypair)['KeyPairId']}


def import_key_pair(call, params):
    material = params['PublicKeyMaterial']
    try:
        public = material.decode()
    except UnicodeDecodeError:
        raise errors.InvalidParameterValue(
            'PublicKeyMaterial is not an OpenSSH public key.',
            code='InvalidKey.Format')
    # Some clients base64 the key twice (awscli's fileb:// does not).
    if not public.startswith(('ssh-', 'ecdsa-')):
        try:
            public = base64.b64decode(public, validate=True).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            pass
    keypair = _create(call, {'name': params['KeyName'],
                             'public_key': public.strip(), 'type': 'ssh'})
    shown = _pair(keypair)
    return {'KeyName': shown['KeyName'],
            'KeyFingerprint': shown['KeyFingerprint'],
            'KeyPairId': shown['KeyPairId']}


def _all(call):
    out, marker = [], None
    while True:
        query = {'limit': 1000}
        if marker:
            query['marker'] = marker
        try:
            page = call.compute.get('/os-keypairs', **query)['keypairs']
        except compute.ComputeError as error:
            raise compute.ec2_error(error)
        out += [item['keypair'] for item in page]
        if len(page) < 1000:
            return out
        marker = page[-1]['keypair']['name']


def describe_key_pairs(call, params):
    names = params.get('KeyNames') or []
    matches = ec2_filters.matcher(
        params.get('Filters'), ('key-name', 'fingerprint', 'key-pair-id'),
        lambda k, name: [{'key-name': k['KeyName'],
                          'fingerprint': k['KeyFingerprint'],
                          'key-pair-id': k['KeyPairId']}[name]])
    pairs = [_pair(k) for k in _all(call)]
    if names:
        have = {p['KeyName'] for p in pairs}
        for name in names:
            if name not in have:
                raise errors.NotFound("The key pair '%s' does not exist"
                                      % name, code=NOT_FOUND)
        pairs = [p for p in pairs if p['KeyName'] in names]
    if not params.get('IncludePublicKey'):
        for pair in pairs:
            pair.pop('PublicKey', None)
    return {'KeyPairs': [p for p in pairs if matches(p)]}


def delete_key_pair(call, params):
    name = params.get('KeyName')
    if not name:
        raise errors.MissingParameter(
            'The request must contain the parameter KeyName.')
    try:
        if '/' not in name:
            call.compute.delete('/os-keypairs/' + name)
    except compute.ComputeError as error:
        # AWS answers true for a key pair that is already gone.
        if error.status != 404:
            raise compute.ec2_error(error)
    return {'Return': True}


HANDLERS = {'CreateKeyPair': create_key_pair,
            'ImportKeyPair': import_key_pair,
            'DescribeKeyPairs': describe_key_pairs,
            'DeleteKeyPair': delete_key_pair}
