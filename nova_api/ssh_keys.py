"""SSH key pairs: generate one, or check and fingerprint a given public key."""

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from nova_api import errors


def fingerprint(public_key):
    """The MD5 fingerprint of an OpenSSH public key, 'aa:bb:...' (as Nova)."""
    try:
        blob = base64.b64decode(public_key.split()[1])
    except (IndexError, ValueError):
        raise errors.bad_request('Keypair data is invalid: not an OpenSSH '
                                 'public key')
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, 32, 2))


def check_public_key(public_key):
    try:
        serialization.load_ssh_public_key(public_key.strip().encode())
    except (ValueError, TypeError, IndexError):
        raise errors.bad_request('Keypair data is invalid: failed to parse '
                                 'the public key')
    return fingerprint(public_key)


def generate(comment):
    """(private PEM, OpenSSH public key) of a new 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode()
    return private, '%s %s' % (public, comment)
