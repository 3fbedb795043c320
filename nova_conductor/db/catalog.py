"""Flavors (with extra specs) and the local image registry."""

import uuid as uuidlib

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import flavor_access
from nova_conductor.db import models
from nova_conductor.db import session


def _flavor_dict(s, flavor):
    out = convert.row_to_dict(flavor)
    specs = s.scalars(sa.select(models.FlavorExtraSpec).filter_by(
        flavor_id=flavor.id))
    out['extra_specs'] = {spec.key: spec.value for spec in specs}
    return out


def flavor_get(flavorid, project_id=None):
    """The flavor; with `project_id`, 404 when that project may not use it."""
    with session.reader() as s:
        flavor = s.scalars(sa.select(models.Flavor).filter_by(
            flavorid=str(flavorid))).first()
        if flavor is None or (project_id is not None and
                              not flavor_access.can_use(s, flavor,
                                                        project_id)):
            raise exception.FlavorNotFound(flavor_id=flavorid)
        return _flavor_dict(s, flavor)


def flavor_get_all(is_public=None, project_id=None):
    """Flavors by size; with `project_id`, only those it may see."""
    with session.reader() as s:
        query = sa.select(models.Flavor).order_by(models.Flavor.memory_mb,
                                                  models.Flavor.flavorid)
        if is_public is not None:
            query = query.filter_by(is_public=is_public)
        if project_id is not None:
            query = query.where(flavor_access.visible_clause(project_id))
        return [_flavor_dict(s, f) for f in s.scalars(query)]


def flavor_update(flavorid, description):
    with session.writer() as s:
        flavor = _flavor_row(s, flavorid)
        flavor.description = description
        s.flush()
        return _flavor_dict(s, flavor)


def flavor_create(values):
    values = dict(values)
    specs = values.pop('extra_specs', None) or {}
    if not values.get('flavorid'):
        values['flavorid'] = str(uuidlib.uuid4())
    try:
        with session.writer() as s:
            for key in ('flavorid', 'name'):
                taken = s.scalars(sa.select(models.Flavor).filter_by(
                    **{key: values[key]})).first()
                if taken is not None:
                    raise exception.FlavorExists(key=key, value=values[key])
            flavor = models.Flavor(**values)
            s.add(flavor)
            s.flush()
            for key, value in specs.items():
                s.add(models.FlavorExtraSpec(flavor_id=flavor.id, key=key,
                                             value=str(value)))
            s.flush()
            return _flavor_dict(s, flavor)
    except sa_exc.IntegrityError:
        # Lost a race with a concurrent create of the same name or id.
        raise exception.FlavorExists(key='name', value=values['name'])


def flavor_delete(flavorid):
    with session.writer() as s:
        flavor = s.scalars(sa.select(models.Flavor).filter_by(
            flavorid=str(flavorid))).first()
        if flavor is None:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        s.execute(sa.delete(models.FlavorExtraSpec).filter_by(
            flavor_id=flavor.id))
        s.execute(sa.delete(models.FlavorProject).filter_by(
            flavor_id=flavor.id))
        s.delete(flavor)


def flavor_extra_specs_update(flavorid, specs):
    """Add or change extra specs; returns the flavor's full set."""
    with session.writer() as s:
        flavor = _flavor_row(s, flavorid)
        for key, value in specs.items():
            row = s.scalars(sa.select(models.FlavorExtraSpec).filter_by(
                flavor_id=flavor.id, key=key)).first()
            if row is None:
                s.add(models.FlavorExtraSpec(flavor_id=flavor.id, key=key,
                                             value=str(value)))
            else:
                row.value = str(value)
        s.flush()
        return _flavor_dict(s, flavor)['extra_specs']


def flavor_extra_spec_delete(flavorid, key):
    with session.writer() as s:
        flavor = _flavor_row(s, flavorid)
        row = s.scalars(sa.select(models.FlavorExtraSpec).filter_by(
            flavor_id=flavor.id, key=key)).first()
        if row is None:
            raise exception.NotFound('Flavor %s has no extra specs with key '
                                     '%s.' % (flavorid, key))
        s.delete(row)


def _flavor_row(s, flavorid):
    flavor = s.scalars(sa.select(models.Flavor).filter_by(
        flavorid=str(flavorid))).first()
    if flavor is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return flavor


def _image_dict(image):
    out = convert.row_to_dict(image)
    out['properties'] = convert.loads(image.properties)
    return out


def image_get(image_id):
    with session.reader() as s:
        image = s.get(models.Image, str(image_id))
        if image is None:
            raise exception.ImageNotFound(image_id=image_id)
        return _image_dict(image)


def image_get_all(filters=None):
    filters = filters or {}
    with session.reader() as s:
        query = sa.select(models.Image).order_by(models.Image.created_at,
                                                 models.Image.id)
        for key in ('name', 'status', 'visibility', 'owner'):
            if filters.get(key) is not None:
                query = query.filter_by(**{key: filters[key]})
        return [_image_dict(i) for i in s.scalars(query)]


def image_create(values):
    values = dict(values)
    values.setdefault('id', str(uuidlib.uuid4()))
    values['properties'] = convert.dumps(values.get('properties') or {})
    with session.writer() as s:
        image = models.Image(**values)
        s.add(image)
        s.flush()
        return _image_dict(image)


def image_delete(image_id):
    with session.writer() as s:
        image = s.get(models.Image, str(image_id))
        if image is None:
            raise exception.ImageNotFound(image_id=image_id)
        out = _image_dict(image)
        s.delete(image)
        return out
