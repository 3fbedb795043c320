"""Private flavors: which projects may see and use them."""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from nova_conductor.db import models
from nova_conductor.db import session


def flavor_row(s, flavorid):
    """The flavor whose flavorid this is (FlavorNotFound if none); catalog
    reads flavors through it too."""
    flavor = s.scalars(sa.select(models.Flavor).filter_by(
        flavorid=str(flavorid))).first()
    if flavor is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return flavor


def _projects(s, flavor):
    return list(s.scalars(
        sa.select(models.FlavorProject.project_id)
        .filter_by(flavor_id=flavor.id)
        .order_by(models.FlavorProject.project_id)))


def visible_clause(project_id):
    """SQL condition: the flavor is public or `project_id` has access."""
    granted = sa.select(models.FlavorProject.flavor_id).where(
        models.FlavorProject.project_id == project_id)
    return sa.or_(models.Flavor.is_public == sa.true(),
                  models.Flavor.id.in_(granted))


def can_use(s, flavor, project_id):
    if flavor.is_public:
        return True
    return s.execute(sa.select(models.FlavorProject.id).filter_by(
        flavor_id=flavor.id, project_id=project_id)).first() is not None


def projects(flavorid):
    """Projects given access to a private flavor (404 for public ones)."""
    with session.reader() as s:
        flavor = flavor_row(s, flavorid)
        if flavor.is_public:
            raise exception.NotFound('Access list not available for public '
                                     'flavors.')
        return _projects(s, flavor)


def add(flavorid, project_id):
    try:
        with session.writer() as s:
            flavor = flavor_row(s, flavorid)
            if flavor.is_public:
                raise exception.PublicFlavorAccess()
            if project_id in _projects(s, flavor):
                raise exception.FlavorAccessExists(flavor_id=flavorid,
                                                   project_id=project_id)
            s.add(models.FlavorProject(flavor_id=flavor.id,
                                       project_id=project_id))
            s.flush()
            return _projects(s, flavor)
    except sa_exc.IntegrityError:
        # A concurrent add of the same pair won the race.
        raise exception.FlavorAccessExists(flavor_id=flavorid,
                                           project_id=project_id)


def remove(flavorid, project_id):
    with session.writer() as s:
        flavor = flavor_row(s, flavorid)
        gone = s.execute(sa.delete(models.FlavorProject).filter_by(
            flavor_id=flavor.id, project_id=project_id)).rowcount
        if not gone:
            raise exception.FlavorAccessNotFound(flavor_id=flavorid,
                                                 project_id=project_id)
        return _projects(s, flavor)
