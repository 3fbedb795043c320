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
        flavor = flavor_access.flavor_row(s, flavorid)
        if project_id is not None and not flavor_access.can_use(
                s, flavor, project_id):
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
        flavor = flavor_access.flavor_row(s, flavorid)
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
        flavor = flavor_access.flavor_row(s, flavorid)
        s.execute(sa.delete(models.FlavorExtraSpec).filter_by(
            flavor_id=flavor.id))
        s.execute(sa.delete(models.FlavorProject).filter_by(
            flavor_id=flavor.id))
        s.delete(flavor)


def flavor_extra_specs_update(flavorid, specs):
    """Add or change extra specs; returns the flavor's full set."""
    with session.writer() as s:
        flavor = flavor_access.flavor_row(s, flavorid)
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
        flavor = flavor_access.flavor_row(s, flavorid)
        row = s.scalars(sa.select(models.FlavorExtraSpec).filter_by(
            flavor_id=flavor.id, key=key)).first()
        if row is None:
            raise exception.NotFound('Flavor %s has no extra specs with key '
                                     '%s.' % (flavorid, key))
        s.delete(row)


def _image_dict(image):
    out = convert.row_to_dict(image)
    out['properties'] = convert.loads(image.properties) or {}
    out['tags'] = convert.loads(image.tags) or []
    return out


def _encode_image_values(values):
    values = dict(values)
    if 'properties' in values:
        values['properties'] = convert.dumps(values['properties'] or {})
    if 'tags' in values:
        values['tags'] = convert.dumps(sorted(set(values['tags'] or [])))
    return values


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


IMAGE_COLUMN_FILTERS = ('id', 'name', 'status', 'visibility', 'owner',
                        'disk_format', 'container_format')
IMAGE_SORT_KEYS = ('created_at', 'updated_at', 'name', 'id', 'status',
                   'size', 'virtual_size', 'disk_format', 'container_format',
                   'min_disk', 'min_ram', 'visibility', 'owner')


def _visible_to(query, project_id, visibility):
    """Images a non-admin project may list, as Glance decides it.

    Its own images, public ones, and community ones only when the caller
    asks for visibility=community (or all).
    """
    seen = [models.Image.owner == project_id,
            models.Image.visibility == 'public']
    if visibility in ('community', 'all'):
        seen.append(models.Image.visibility == 'community')
    return query.where(sa.or_(*seen))


def _sort_value(image, key):
    # None sorts first ascending; the id breaks ties so pages are stable.
    value = image[key]
    return (value is not None, value if value is not None else 0, image['id'])


def image_list(filters=None, project_id=None, limit=None, marker=None,
               sort_key='created_at', sort_dir='desc'):
    """One page of images: (images, more) with Glance's filtering rules.

    filters: column filters (IMAGE_COLUMN_FILTERS), 'tags' (all of them)
    and 'properties' (custom properties, exact string match).
    project_id: the caller's project, None for an admin (sees all).
    The registry holds few images, so properties, sorting and the marker
    are applied in Python over the column-filtered rows.
    """
    filters = filters or {}
    if sort_key not in IMAGE_SORT_KEYS:
        raise exception.Invalid(reason='Unsupported sort_key %s' % sort_key)
    with session.reader() as s:
        query = sa.select(models.Image)
        for key in IMAGE_COLUMN_FILTERS:
            if key == 'visibility' and filters.get(key) == 'all':
                continue
            value = filters.get(key)
            if isinstance(value, list):
                query = query.where(getattr(models.Image, key).in_(value))
            elif value is not None:
                query = query.filter_by(**{key: value})
        if project_id is not None:
            query = _visible_to(query, project_id, filters.get('visibility'))
        images = [_image_dict(i) for i in s.scalars(query)]
    wanted_props = filters.get('properties') or {}
    wanted_tags = set(filters.get('tags') or ())
    images = [i for i in images
              if all(str(i['properties'].get(k)) == str(v)
                     for k, v in wanted_props.items())
              and wanted_tags <= set(i['tags'])]
    images.sort(key=lambda i: _sort_value(i, sort_key),
                reverse=(sort_dir == 'desc'))
    if marker is not None:
        ids = [i['id'] for i in images]
        if marker not in ids:
            raise exception.Invalid(reason='Invalid marker. Image %s could '
                                    'not be found.' % marker)
        images = images[ids.index(marker) + 1:]
    if limit is not None and len(images) > limit:
        return images[:limit], True
    return images, False


def image_create(values):
    values = _encode_image_values(values)
    values.setdefault('id', str(uuidlib.uuid4()))
    values.setdefault('properties', '{}')
    try:
        with session.writer() as s:
            if s.get(models.Image, values['id']) is not None:
                raise exception.ImageExists(image_id=values['id'])
            image = models.Image(**values)
            s.add(image)
            s.flush()
            return _image_dict(image)
    except sa_exc.IntegrityError:
        # Lost a race with a concurrent create of the same id.
        raise exception.ImageExists(image_id=values['id'])


def image_update(image_id, values, expected_status=None):
    """Change an image; with expected_status, only from that status.

    The status check and the write are one UPDATE, so of two uploads to
    the same queued image exactly one moves it on.
    """
    values = _encode_image_values(values)
    values['updated_at'] = models.utcnow()
    with session.writer() as s:
        query = sa.update(models.Image).where(
            models.Image.id == str(image_id))
        if expected_status is not None:
            query = query.where(models.Image.status == expected_status)
        if s.execute(query.values(**values)).rowcount != 1:
            image = s.get(models.Image, str(image_id))
            if image is None:
                raise exception.ImageNotFound(image_id=image_id)
            raise exception.ImageStatusConflict(
                image_id=image_id, status=image.status,
                expected=expected_status)
        s.expire_all()
        return _image_dict(s.get(models.Image, str(image_id)))


def image_properties_update(image_id, updates, remove=(), replace=False,
                            max_items=None):
    """Change an image's custom properties under its row lock, so that
    concurrent changes never lose each other's keys: drop `remove` (each
    must be there), set `updates` over what is left (over nothing when
    `replace`). More than `max_items` properties as a result (a
    metadata_items quota; None or -1: no limit) is refused."""
    with session.writer() as s:
        image = s.scalars(sa.select(models.Image).where(
            models.Image.id == str(image_id)).with_for_update()).first()
        if image is None:
            raise exception.ImageNotFound(image_id=image_id)
        props = {} if replace else (convert.loads(image.properties) or {})
        for key in remove:
            if key not in props:
                raise exception.ImageMetadataKeyNotFound()
            del props[key]
        props.update(updates)
        if max_items is not None and 0 <= max_items < len(props):
            raise exception.ImageMetadataLimitExceeded()
        image.properties = convert.dumps(props)
        image.updated_at = models.utcnow()
        s.flush()
        return _image_dict(image)


def image_delete(image_id):
    """Remove the record (unless protected); returns it, location included."""
    with session.writer() as s:
        image = s.get(models.Image, str(image_id))
        if image is None:
            raise exception.ImageNotFound(image_id=image_id)
        if image.protected:
            raise exception.ImageProtected(image_id=image_id)
        out = _image_dict(image)
        s.delete(image)
        return out
