"""The EC2 API's own rows: access keys without Keystone, and the
ClientTokens of RunInstances."""

import secrets

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session

# Keys per project: enough for every user and automation of a project,
# few enough that a list of them is one small answer.
MAX_CREDENTIALS_PER_PROJECT = 100


def _credential(row):
    out = convert.row_to_dict(row)
    out.pop('id', None)
    return out


def credential_create(user_id, project_id):
    """A new key pair: access 'AK' + 18 upper-case hex digits (AWS's
    20-character form), a 40-character secret."""
    with session.writer() as s:
        count = s.execute(sa.select(sa.func.count()).select_from(
            models.EC2Credential.__table__).where(
            models.EC2Credential.project_id == project_id)).scalar()
        if count >= MAX_CREDENTIALS_PER_PROJECT:
            raise exception.Forbidden(
                'Project %s has %d EC2 credentials, the most it may have.'
                % (project_id, count))
        row = models.EC2Credential(
            access='AK' + secrets.token_hex(9).upper(),
            secret=secrets.token_urlsafe(30)[:40],
            user_id=user_id, project_id=project_id)
        s.add(row)
        s.flush()
        return _credential(row)


def credential_get(access):
    with session.reader() as s:
        row = s.scalars(sa.select(models.EC2Credential).filter_by(
            access=access)).first()
        if row is None:
            raise exception.NotFound('No EC2 credential has the access '
                                     'key %s.' % access)
        return _credential(row)


def credential_list(project_id=None, user_id=None):
    with session.reader() as s:
        query = sa.select(models.EC2Credential).order_by(
            models.EC2Credential.id)
        if project_id:
            query = query.filter_by(project_id=project_id)
        if user_id:
            query = query.filter_by(user_id=user_id)
        return [_credential(r) for r in s.scalars(query.limit(10000))]


def credential_delete(access):
    with session.writer() as s:
        deleted = s.execute(sa.delete(models.EC2Credential).where(
            models.EC2Credential.access == access)).rowcount
    if not deleted:
        raise exception.NotFound('No EC2 credential has the access key %s.'
                                 % access)


def client_token_claim(project_id, client_token, request_hash):
    """Claim `client_token` for a launch: None when this caller claimed
    it (and must launch, then client_token_set or _release), else the
    existing claim {'request_hash', 'reservation_id' (None while that
    launch runs)}."""
    try:
        with session.writer() as s:
            s.add(models.EC2ClientToken(
                project_id=project_id, client_token=client_token,
                request_hash=request_hash))
            s.flush()
        return None
    except sa_exc.IntegrityError:
        pass
    with session.reader() as s:
        row = s.execute(sa.select(
            models.EC2ClientToken.request_hash,
            models.EC2ClientToken.reservation_id).filter_by(
            project_id=project_id, client_token=client_token)).first()
    if row is None:
        # Released between our insert and this read: claim it again.
        return client_token_claim(project_id, client_token, request_hash)
    return {'request_hash': row.request_hash,
            'reservation_id': row.reservation_id}


def client_token_set(project_id, client_token, reservation_id):
    with session.writer() as s:
        s.execute(sa.update(models.EC2ClientToken).where(
            models.EC2ClientToken.project_id == project_id,
            models.EC2ClientToken.client_token == client_token).values(
            reservation_id=reservation_id))


def client_token_release(project_id, client_token):
    """Forget a claim whose launch failed: the token may be used again."""
    with session.writer() as s:
        s.execute(sa.delete(models.EC2ClientToken).where(
            models.EC2ClientToken.project_id == project_id,
            models.EC2ClientToken.client_token == client_token,
            models.EC2ClientToken.reservation_id.is_(None)))
