"""OS-DCF:diskConfig: a server's disk partitioning mode, kept per instance
as `auto_disk_config` (True is AUTO, False MANUAL), with Nova's rules.

AUTO says the guest's root filesystem may be grown to fill its disk;
MANUAL that it is left as the image made it. This cloud records and
shows the choice; the libvirt driver sizes the root disk to the flavor in
both modes and changes nothing inside the guest (docs/api.md).
"""

from common import exception
from nova_api import query

AUTO = 'AUTO'
MANUAL = 'MANUAL'
KEY = 'OS-DCF:diskConfig'


def to_api(auto_disk_config):
    return AUTO if auto_disk_config else MANUAL


def from_api(value):
    return value == AUTO


def _image_setting(image):
    """The image's auto_disk_config property as lower-case text, or None."""
    value = ((image or {}).get('properties') or {}).get('auto_disk_config')
    return None if value is None else str(value).strip().lower()


def check_allowed(image, auto_disk_config):
    """AUTO on an image whose auto_disk_config property is "disabled" is a
    400, as in Nova (a false property only changes the default)."""
    if auto_disk_config and _image_setting(image) == 'disabled':
        raise exception.Invalid('Requested image %s has automatic disk '
                                'resize disabled.' % image.get('id'))


def for_create(image, requested):
    """A new server's auto_disk_config: what the body asks (`requested`,
    'AUTO'/'MANUAL' or None), else what the image's auto_disk_config
    property says (a true word is AUTO; absent, false or "disabled" is
    MANUAL)."""
    if requested is None:
        return query.truthy(_image_setting(image) or '')
    chosen = from_api(requested)
    check_allowed(image, chosen)
    return chosen


def requested_value(params, image=None):
    """{'auto_disk_config': ...} for a rebuild (checked against its new
    `image`) or an update (no image) that names OS-DCF:diskConfig; {}
    when it does not (the server keeps its mode)."""
    if KEY not in params:
        return {}
    chosen = from_api(params[KEY])
    if image is not None:
        check_allowed(image, chosen)
    return {'auto_disk_config': chosen}
