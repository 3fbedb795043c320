"""A ready-to-boot database for the all-in-one: schema, flavors, a demo image.

The all-in-one calls this before it starts the services, so a newcomer
can boot a server the moment the banner appears.
"""

import os

from nova_conductor import images
from nova_conductor import manage
from nova_conductor.db import catalog
from nova_conductor.db import migration
from nova_conductor.db import session

DEMO_IMAGE = 'demo-image'


def prepare(connection, state_path, image_store_path):
    """Bring the database at `connection` up to date and seed it; returns
    the demo image's id."""
    session.configure(connection)
    migration.db_sync()
    manage.seed_flavors()
    found = catalog.image_get_all({'name': DEMO_IMAGE})
    if found:
        return found[0]['id']
    path = os.path.join(state_path, 'demo-image.qcow2')
    image = images.import_file(images.make_demo_image(path), DEMO_IMAGE,
                               image_store_path,
                               properties={'hw_architecture': 'x86_64'})
    os.unlink(path)
    return image['id']
