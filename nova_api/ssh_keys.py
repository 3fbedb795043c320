"""Key pairs: generate one, or check and fingerprint a given public key
(OpenSSH) or certificate (x509)."""

import base64
import datetime
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common import exception


def fingerprint(public_key):
    """The MD5 fingerprint of an OpenSSH public key, 'aa:bb:...' (as Nova)."""
    try:
        blob = base64.b64decode(public_key.split()[1])
    except (IndexError, ValueError):
        raise exception.Invalid('Keypair data is invalid: not an OpenSSH '
                                'public key')
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ':'.join(digest[i:i + 2] for i in range(0, 32, 2))


def check_public_key(public_key):
    # Any failure to parse the key means the key is invalid: the parser
    # raises ValueError, UnsupportedAlgorithm and others for hostile text.
    try:
        serialization.load_ssh_public_key(public_key.strip().encode())
    except Exception:
        raise exception.Invalid('Keypair data is invalid: failed to parse '
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


def _colons(hexdigest):
    return ':'.join(hexdigest[i:i + 2] for i in range(0, len(hexdigest), 2))


def check_x509_certificate(pem):
    """The SHA-1 fingerprint of a PEM certificate, 'aa:bb:...'."""
    try:
        cert = x509.load_pem_x509_certificate(pem.strip().encode())
        return _colons(cert.fingerprint(hashes.SHA1()).hex())
    except Exception:  # as for a public key: unparsable is invalid
        raise exception.Invalid('Keypair data is invalid: failed to parse '
                                'the x509 certificate')


def generate_x509(common_name='Generated-by-Nova', days=365):
    """(private PEM, certificate PEM, fingerprint) of a new self-signed
    certificate for a 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME,
                                         common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return private, pem, _colons(cert.fingerprint(hashes.SHA1()).hex())
