"""Errors shared by all daemons.

Each carries the HTTP status the API answers with; they cross RPC intact
(common.exception is in oslo.messaging's allowed_remote_exmods), so an error
raised in the conductor reaches the API as the same class.
"""


class NovaException(Exception):
    """Base error: `msg_fmt` is filled from keyword arguments, or
    `message` is the whole text. `headers`, which the API sends with
    the error (nova_api/errors.py), stay on this side of RPC: they are
    not among the kwargs that travel."""

    msg_fmt = 'An unknown error occurred.'
    code = 500
    headers = {}

    def __init__(self, message=None, *, headers=None, **kwargs):
        self.kwargs = kwargs
        if headers is not None:
            self.headers = dict(headers)
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


class Invalid(NovaException):
    msg_fmt = 'Invalid input: %(reason)s'
    code = 400


class ValidationError(Invalid):
    msg_fmt = '%(reason)s'


class MarkerNotFound(Invalid):
    msg_fmt = 'marker [%(marker)s] not found'


class InstanceIsLocked(NovaException):
    msg_fmt = 'Instance %(instance_uuid)s is locked'
    code = 409


class InvalidImageRef(Invalid):
    msg_fmt = 'Invalid image href provided: %(image_href)s.'


class FlavorDiskSmallerThanMinDisk(Invalid):
    msg_fmt = ('Flavor\'s disk is too small for requested image. Flavor disk '
               'is %(flavor_size)i bytes, minimum size is %(image_min_disk)i '
               'bytes.')


class FlavorMemoryTooSmall(Invalid):
    msg_fmt = ('Flavor\'s memory is too small for requested image. Flavor '
               'memory is %(flavor_ram)i MB, minimum is %(image_min_ram)i MB.')


class ImageNotActive(Invalid):
    msg_fmt = 'Image %(image_id)s is not active.'


class InvalidAPIVersionString(Invalid):
    msg_fmt = ('API Version String %(version)s is of invalid format. Must '
               'be of format MajorNum.MinorNum.')


class Unauthenticated(NovaException):
    """The API has no identity it can trust for the request."""
    msg_fmt = 'The request you have made requires authentication.'
    code = 401


class Forbidden(NovaException):
    msg_fmt = 'Policy does not allow this operation.'
    code = 403


class PolicyNotAuthorized(Forbidden):
    msg_fmt = 'Policy doesn\'t allow %(action)s to be performed.'


class QuotaExceeded(Forbidden):
    msg_fmt = 'Quota exceeded for %(resource)s.'


class OverQuota(QuotaExceeded):
    msg_fmt = ('Quota exceeded for %(resource)s: Requested %(requested)d, '
               'but already used %(used)d of %(limit)d %(resource)s')


class TooManyInstances(QuotaExceeded):
    """A multiple create whose min_count the quota cannot fit (Nova's)."""
    msg_fmt = ('Quota exceeded for %(overs)s: Requested %(req)s, but '
               'already used %(used)s of %(allowed)s %(overs)s')


class NotFound(NovaException):
    msg_fmt = 'Resource could not be found.'
    code = 404


class ResourceNotFound(NotFound):
    """Nothing is served at the path (or not at the request's
    microversion): the words of a router that found no route."""
    msg_fmt = 'The resource could not be found.'


class MetadataNotFound(NotFound):
    msg_fmt = 'The metadata service has nothing at this path.'


class InstanceNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s could not be found.'


class MetadataKeyNotFound(NotFound):
    msg_fmt = 'Metadata item was not found'


class InstanceTagNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s has no tag \'%(tag)s\''


class FlavorNotFound(NotFound):
    msg_fmt = 'Flavor %(flavor_id)s could not be found.'


class ImageNotFound(NotFound):
    msg_fmt = 'Image %(image_id)s could not be found.'


class ComputeHostNotFound(NotFound):
    msg_fmt = 'Compute host %(host)s could not be found.'


class ServiceNotFound(NotFound):
    msg_fmt = 'Service %(service_id)s could not be found.'


class NetworkNotFound(NotFound):
    msg_fmt = 'Network %(network_id)s could not be found.'


class HostNotFound(NotFound):
    msg_fmt = 'Host %(host)s could not be found.'


class MigrationNotFound(NotFound):
    msg_fmt = 'Migration %(migration_id)s could not be found.'


class ComputeServiceUnavailable(Invalid):
    """An operation that needs the host's compute service, while it is
    down (Nova answers 400)."""
    msg_fmt = 'Compute service of %(host)s is unavailable at this time.'


class NotSupported(NovaException):
    msg_fmt = 'The requested functionality is not supported.'
    code = 501


class ActionNotImplemented(NotSupported):
    """A server action Nova serves and this cloud does not do."""
    msg_fmt = "This cloud does not implement the '%(action)s' action."


class NotAcceptable(NovaException):
    msg_fmt = 'The requested representation is not available.'
    code = 406


class APIVersionNotSupported(NotAcceptable):
    msg_fmt = ('Version %(version)s is not supported by the API. Minimum is '
               '%(minimum)s and maximum is %(maximum)s.')


class OverLimit(NovaException):
    """A request past a size the API takes."""
    msg_fmt = 'The request is over a limit.'
    code = 413


class RequestTooLarge(OverLimit):
    msg_fmt = 'Request is too large: the most accepted is %(limit)d bytes.'


class ImageSizeCapExceeded(OverLimit):
    msg_fmt = 'Image exceeds the image_size_cap of %(size_cap)d bytes.'


class UnsupportedMediaType(NovaException):
    msg_fmt = 'Unsupported Content-Type %(content_type)s; use %(expected)s.'
    code = 415


class Gone(NovaException):
    """An API that was served once and is no more."""
    msg_fmt = 'This API is gone.'
    code = 410


class NovaNetworkRemoved(Gone):
    msg_fmt = ('This API only worked with nova-network, which Nova removed; '
               'networks are managed by the network service.')


class Conflict(NovaException):
    msg_fmt = 'Conflict: %(reason)s'
    code = 409


class FlavorExists(Conflict):
    msg_fmt = 'Flavor with %(key)s %(value)s already exists.'


class InstanceInvalidState(Conflict):
    msg_fmt = ('Cannot \'%(action)s\' instance %(instance_uuid)s while it is '
               'in %(attr)s %(state)s')


class InstanceExists(Conflict):
    msg_fmt = 'Instance %(instance_uuid)s exists already.'


class InstancePasswordSet(Conflict):
    msg_fmt = 'Instance %(instance_id)s already has a password.'


class InstanceNotReady(Conflict):
    msg_fmt = 'Instance %(instance_id)s is not ready'


class InstanceNotRescuable(Invalid):
    msg_fmt = 'Instance %(instance_id)s cannot be rescued: %(reason)s'


class TriggerCrashDumpNotSupported(Invalid):
    msg_fmt = 'Triggering crash dump is not supported'


class UnexpectedTaskState(Conflict):
    msg_fmt = ('Instance %(instance_uuid)s is in task_state %(actual)s, '
               'expected %(expected)s.')


class NoValidHost(NovaException):
    msg_fmt = 'No valid host was found. %(reason)s'
    code = 500


class FixedIpsExhausted(NovaException):
    msg_fmt = 'No fixed IP addresses are left in network %(network)s.'
    code = 500


class ResourcesUnavailable(NovaException):
    """A claim lost against the host's capacity (another boot was faster)."""

    msg_fmt = 'Host %(host)s has no room for %(request)s.'
    code = 409


class GroupPolicyViolation(ResourcesUnavailable):
    msg_fmt = ('Host %(host)s would break the %(policy)s policy of server '
               'group %(group)s.')


class ServiceUnavailable(NovaException):
    msg_fmt = 'The %(service)s service did not answer: %(reason)s'
    code = 503


class ImageServiceUnavailable(ServiceUnavailable):
    msg_fmt = 'The image service at %(url)s is unavailable: %(reason)s'


class DatabaseUnavailable(ServiceUnavailable):
    """The conductor lost its database connection, or could not open one,
    before its transaction committed: nothing was written, and a call safe
    to repeat is sent again (common.rpc)."""

    msg_fmt = ('The database is unavailable (%(reason)s); nothing was '
               'changed. Try again.')


class DatabaseCommitUnknown(DatabaseUnavailable):
    """The connection was lost during the COMMIT itself: the change may or
    may not be stored. Only an idempotent transaction is run again."""

    msg_fmt = ('The connection to the database was lost while the change '
               'was being committed: it may or may not have been saved. '
               'Check before trying again.')


class BuildAbortException(NovaException):
    msg_fmt = 'Build of instance %(instance_uuid)s aborted: %(reason)s'


class RescheduledException(NovaException):
    msg_fmt = ('Build of instance %(instance_uuid)s was re-scheduled: '
               '%(reason)s')


class InstanceDiagnosticsUnsupported(NovaException):
    msg_fmt = ('Unable to get diagnostics, functionality not implemented: '
               'the compute hosts are not all upgraded yet.')
    code = 501


class HypervisorError(NovaException):
    msg_fmt = 'Hypervisor error: %(reason)s'


class ConfigDriveBuildFailed(NovaException):
    """The compute could not write an instance's config drive: the image
    tool is missing or failed, or the contents are too big."""
    msg_fmt = 'Could not build the config drive: %(reason)s'


class ImageUnacceptable(Invalid):
    msg_fmt = 'Image %(image_id)s is unacceptable: %(reason)s'


class FlavorAccessExists(Conflict):
    msg_fmt = ('Flavor access already exists for flavor %(flavor_id)s and '
               'project %(project_id)s combination.')


class FlavorAccessNotFound(NotFound):
    msg_fmt = ('Flavor access not found for %(flavor_id)s / %(project_id)s '
               'combination.')


class PublicFlavorAccess(Conflict):
    msg_fmt = 'Can not add access to a public flavor.'


class ServiceInUse(Conflict):
    msg_fmt = ('Unable to delete compute service that is hosting '
               'instances. Migrate or delete the instances first.')


class ImageExists(Conflict):
    msg_fmt = 'Image with identifier %(image_id)s already exists!'


class ImageStatusConflict(Conflict):
    msg_fmt = ('Image %(image_id)s is %(status)s; this needs it to be '
               '%(expected)s.')


class ImageProtected(Forbidden):
    msg_fmt = 'Image %(image_id)s is protected and cannot be deleted.'


class ImageChangeForbidden(Forbidden):
    """Only an image's owner, or an admin, changes or deletes it."""
    msg_fmt = 'You are not permitted to modify image %(image_id)s.'


class ImageMetadataLimitExceeded(QuotaExceeded):
    """An image's properties past the caller's metadata_items quota."""
    msg_fmt = 'Image metadata limit exceeded'


class ImageMetadataKeyNotFound(NotFound):
    msg_fmt = 'Invalid metadata key'


class ImageNotAuthorized(Forbidden):
    msg_fmt = 'The image service at %(url)s refused the request (%(code)s).'


class ImageDownloadFailed(NovaException):
    msg_fmt = 'Failed to download image %(image_id)s: %(reason)s'


_PLAIN = (str, int, float, bool, type(None), list, tuple, dict)


def to_primitive(error):
    """`error` as plain data, to travel inside a result (common.coalesce)."""
    return {'class': type(error).__name__, 'message': error.message,
            'kwargs': {k: v if isinstance(v, _PLAIN) else str(v)
                       for k, v in error.kwargs.items()}}


def from_primitive(data):
    """The error to_primitive() described, as its own class when it is one
    of ours (anything else comes back as NovaException)."""
    cls = globals().get(data.get('class'))
    if not (isinstance(cls, type) and issubclass(cls, NovaException)):
        cls = NovaException
    return cls(data.get('message'), **data.get('kwargs', {}))


# -- the volume service (common/cinder_client.py) ----------------------------

class VolumeNotFound(NotFound):
    msg_fmt = 'Volume %(volume_id)s could not be found.'


class VolumeAttachmentNotFound(NotFound):
    msg_fmt = 'Volume attachment %(attachment_id)s could not be found.'


class VolumeNotAuthorized(Forbidden):
    msg_fmt = 'The volume service at %(url)s refused the request (%(code)s).'


class VolumeServiceUnavailable(ServiceUnavailable):
    msg_fmt = 'The volume service at %(url)s is unavailable: %(reason)s'


class VolumeStatusTimeout(Conflict):
    msg_fmt = ('Volume %(volume_id)s did not become %(wanted)s within '
               '%(seconds)s s; it is %(status)s.')


class VolumeStatusFailed(Conflict):
    msg_fmt = 'Volume %(volume_id)s went to status %(status)s.'


class UnexpectedBlockDeviceState(Conflict):
    msg_fmt = ('Block device mapping %(bdm_id)s is %(actual)s, expected '
               '%(expected)s.')


class CannotResizeToSameFlavor(Invalid):
    msg_fmt = 'When resizing, instances must change flavor!'


class CannotResizeDisk(Invalid):
    msg_fmt = 'Resize error: %(reason)s'


class MigrationNotFoundByStatus(Invalid):
    """Confirm or revert of an instance with no finished move (Nova
    answers 400)."""
    msg_fmt = 'Instance %(instance_id)s has not been resized.'


class MigrationNotFoundForInstance(NotFound):
    msg_fmt = ('Migration %(migration_id)s for instance %(instance_id)s '
               'does not exist.')


# -- live migration (nova_compute/live_migration.py) -------------------------

class MigrationPreCheckError(Invalid):
    msg_fmt = 'Migration pre-check error: %(reason)s'


class InvalidMigrationState(Invalid):
    msg_fmt = ('Migration %(migration_id)s state of instance '
               '%(instance_uuid)s is %(state)s. Cannot %(method)s while the '
               'migration is in this state.')


class LiveMigrationAborted(NovaException):
    msg_fmt = 'Live migration of %(instance_uuid)s was aborted: %(reason)s'


# -- remote consoles (nova_conductor/consoles.py, nova_console/) -------------

class ConsoleTypeInvalid(Invalid):
    msg_fmt = 'Invalid console type %(console_type)s'


class ConsoleTypeUnavailable(Invalid):
    msg_fmt = 'Unavailable console type %(console_type)s.'


class ConsoleNotImplemented(NotSupported):
    msg_fmt = ('Unable to get %(console_type)s console, functionality not '
               'implemented')


class InvalidToken(NotFound):
    msg_fmt = 'Token not found'


class ConsoleTokenNotAccessible(Unauthenticated):
    msg_fmt = 'The requested console type details are not accessible'
