"""AWS Signature Version 4, the server's side: read what a request claims
(key, scope, signed headers, signature) and check it against a secret.

Both forms botocore sends are read: the `Authorization` header, and the
presigned query (`X-Amz-Algorithm`, `X-Amz-Credential`...). The check is
the one from AWS's documentation: canonical request, string to sign, a
key derived from the secret by HMAC over date, region and service.
"""

import datetime
import hashlib
import hmac
import re
import urllib.parse

from nova_api.ec2 import errors

ALGORITHM = 'AWS4-HMAC-SHA256'
# A signature is good this long either side of our clock (AWS: 5 min).
MAX_SKEW = datetime.timedelta(minutes=5)
MAX_SIGNED_HEADERS = 32
_AUTH_RE = re.compile(
    r'^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*'
    r'SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$')
_DATE_FORMAT = '%Y%m%dT%H%M%SZ'


class Claim:
    """What the request says about its signature; `secret` checks it."""

    def __init__(self, access, date, region, service, signed_headers,
                 signature, amz_date):
        self.access = access
        self.date = date
        self.region = region
        self.service = service
        self.signed_headers = signed_headers
        self.signature = signature
        self.amz_date = amz_date

    @property
    def scope(self):
        return '/'.join((self.date, self.region, self.service,
                         'aws4_request'))


def read_claim(headers, query):
    """The Claim of a request (`headers`: lower-case names; `query`: the
    parsed query string as (name, value) pairs). AuthFailure when there
    is none or it is malformed."""
    params = dict(query)
    if 'authorization' in headers:
        match = _AUTH_RE.match(headers['authorization'])
        if not match:
            raise errors.AuthFailure(
                'The Authorization header is not an AWS Signature Version '
                '4 (AWS4-HMAC-SHA256) header.')
        credential, signed, signature = match.groups()
        amz_date = headers.get('x-amz-date', '')
    elif params.get('X-Amz-Algorithm') == ALGORITHM:
        credential = params.get('X-Amz-Credential', '')
        signed = params.get('X-Amz-SignedHeaders', '')
        signature = params.get('X-Amz-Signature', '')
        amz_date = params.get('X-Amz-Date', '')
        if not re.fullmatch(r'[0-9a-f]{64}', signature):
            raise errors.AuthFailure('X-Amz-Signature is malformed.')
    elif 'Signature' in params or 'AWSAccessKeyId' in params:
        raise errors.AuthFailure(
            'Signature Version 2 is not accepted: sign requests with '
            'Signature Version 4.')
    else:
        raise errors.AuthFailure('The request is not signed.')
    parts = credential.split('/')
    if len(parts) != 5 or parts[4] != 'aws4_request' or not parts[0]:
        raise errors.AuthFailure(
            'The credential scope is malformed: expected '
            'KEY/DATE/REGION/SERVICE/aws4_request.')
    signed_headers = signed.split(';')
    if (len(signed_headers) > MAX_SIGNED_HEADERS or
            'host' not in signed_headers or
            signed_headers != sorted(set(signed_headers))):
        raise errors.AuthFailure(
            'SignedHeaders must name host and at most %d headers, sorted.'
            % MAX_SIGNED_HEADERS)
    missing = [h for h in signed_headers if h not in headers]
    if missing:
        raise errors.AuthFailure(
            'A signed header is missing: %s.' % missing[0])
    return Claim(parts[0], parts[1], parts[2], parts[3], signed_headers,
                 signature, amz_date)


def check_time(claim, now=None):
    """AuthFailure unless the signature's time is within MAX_SKEW of now
    and its scope's date is that time's date."""
    try:
        when = datetime.datetime.strptime(claim.amz_date, _DATE_FORMAT)
    except ValueError:
        raise errors.AuthFailure(
            'X-Amz-Date is missing or not of the form YYYYMMDDTHHMMSSZ.')
    if when.strftime('%Y%m%d') != claim.date:
        raise errors.AuthFailure(
            'The credential scope date %s is not the date of X-Amz-Date.'
            % claim.date)
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None)
    if abs(now - when) > MAX_SKEW:
        raise errors.AuthFailure(
            'Signature expired or not yet valid: %s is more than 5 minutes '
            'from the server time %s.' % (claim.amz_date,
                                          now.strftime(_DATE_FORMAT)))


def _quote(text):
    return urllib.parse.quote(text, safe='-_.~')


def canonical_query(query):
    """The sorted, encoded query string, without the signature itself."""
    pairs = sorted((_quote(k), _quote(v)) for k, v in query
                   if k != 'X-Amz-Signature')
    return '&'.join('%s=%s' % pair for pair in pairs)


def canonical_request(method, path, query, headers, claim, body):
    """The text both sides hash. `body` is the raw payload."""
    canonical_headers = ''.join(
        '%s:%s\n' % (name, ' '.join(headers.get(name, '').split()))
        for name in claim.signed_headers)
    payload = hashlib.sha256(body).hexdigest()
    return '\n'.join((
        method,
        urllib.parse.quote(path or '/', safe='/-_.~'),
        canonical_query(query),
        canonical_headers,
        ';'.join(claim.signed_headers),
        payload))


def string_to_sign(claim, request_text):
    return '\n'.join((ALGORITHM, claim.amz_date, claim.scope,
                      hashlib.sha256(request_text.encode()).hexdigest()))


def signing_key(secret, claim):
    key = ('AWS4' + secret).encode()
    for part in (claim.date, claim.region, claim.service, 'aws4_request'):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def signature(secret, claim, request_text):
    return hmac.new(signing_key(secret, claim),
                    string_to_sign(claim, request_text).encode(),
                    hashlib.sha256).hexdigest()


def verify(secret, claim, request_text):
    """SignatureDoesNotMatch unless `claim` was signed with `secret`."""
    expected = signature(secret, claim, request_text)
    if not hmac.compare_digest(expected, claim.signature):
        raise errors.SignatureDoesNotMatch(
            'The request signature we calculated does not match the '
            'signature you provided. Check your AWS Secret Access Key and '
            'signing method.')
