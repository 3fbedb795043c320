"""Instance vm_state, task_state and power_state, and the API status they map to.

The one home for these names: every daemon and the API import them from here.
"""

# vm_state: the stable state the instance rests in.
ACTIVE = 'active'
BUILDING = 'building'
PAUSED = 'paused'
SUSPENDED = 'suspended'
STOPPED = 'stopped'
RESCUED = 'rescued'
RESIZED = 'resized'
SOFT_DELETED = 'soft-delete'
DELETED = 'deleted'
ERROR = 'error'
SHELVED = 'shelved'
SHELVED_OFFLOADED = 'shelved_offloaded'
# vm_states whose guest runs and has a remote console (docs/consoles.md).
CONSOLE_VM_STATES = (ACTIVE, RESIZED, RESCUED)

# task_state: the operation under way, None when idle.
SCHEDULING = 'scheduling'
NETWORKING = 'networking'
BLOCK_DEVICE_MAPPING = 'block_device_mapping'
SPAWNING = 'spawning'
DELETING = 'deleting'
POWERING_OFF = 'powering-off'
POWERING_ON = 'powering-on'
REBOOTING = 'rebooting'
REBOOTING_HARD = 'rebooting_hard'
REBUILDING = 'rebuilding'
REBUILD_BLOCK_DEVICE_MAPPING = 'rebuild_block_device_mapping'
REBUILD_SPAWNING = 'rebuild_spawning'
PAUSING = 'pausing'
UNPAUSING = 'unpausing'
SUSPENDING = 'suspending'
RESUMING = 'resuming'
# Resize and cold migration (docs/resize.md).
RESIZE_PREP = 'resize_prep'
RESIZE_MIGRATING = 'resize_migrating'
RESIZE_MIGRATED = 'resize_migrated'
RESIZE_FINISH = 'resize_finish'
RESIZE_REVERTING = 'resize_reverting'
RESIZE_TASK_STATES = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED,
                      RESIZE_FINISH)
MIGRATING = 'migrating'
RESCUING = 'rescuing'
UNRESCUING = 'unrescuing'
# Snapshots and backups (createImage, createBackup), and shelving.
IMAGE_SNAPSHOT = 'image_snapshot'
IMAGE_BACKUP = 'image_backup'
IMAGE_PENDING_UPLOAD = 'image_pending_upload'
IMAGE_UPLOADING = 'image_uploading'
SHELVING = 'shelving'
SHELVING_IMAGE_PENDING_UPLOAD = 'shelving_image_pending_upload'
SHELVING_IMAGE_UPLOADING = 'shelving_image_uploading'
SHELVING_OFFLOADING = 'shelving_offloading'
UNSHELVING = 'unshelving'

BUILD_TASK_STATES = (SCHEDULING, NETWORKING, BLOCK_DEVICE_MAPPING, SPAWNING)

# power_state: what the hypervisor reports; numbers as Nova shows them.
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

POWER_STATE_NAMES = {
    NOSTATE: 'pending', RUNNING: 'running', PAUSED_POWER: 'paused',
    SHUTDOWN: 'shutdown', CRASHED: 'crashed', SUSPENDED_POWER: 'suspended',
}

# The API status is derived from vm_state, refined by task_state.
_STATUS_BY_VM_STATE = {
    ACTIVE: 'ACTIVE', BUILDING: 'BUILD', STOPPED: 'SHUTOFF',
    PAUSED: 'PAUSED', SUSPENDED: 'SUSPENDED', RESCUED: 'RESCUE',
    RESIZED: 'VERIFY_RESIZE', ERROR: 'ERROR', DELETED: 'DELETED',
    SOFT_DELETED: 'SOFT_DELETED', SHELVED: 'SHELVED',
    SHELVED_OFFLOADED: 'SHELVED_OFFLOADED',
}
_STATUS_BY_TASK_STATE = {
    REBOOTING: 'REBOOT', REBOOTING_HARD: 'HARD_REBOOT',
    REBUILDING: 'REBUILD', REBUILD_BLOCK_DEVICE_MAPPING: 'REBUILD',
    REBUILD_SPAWNING: 'REBUILD',
    RESIZE_PREP: 'RESIZE', RESIZE_MIGRATING: 'RESIZE',
    RESIZE_MIGRATED: 'RESIZE', RESIZE_FINISH: 'RESIZE',
    RESIZE_REVERTING: 'REVERT_RESIZE',
    MIGRATING: 'MIGRATING',
}


def api_status(vm_state, task_state=None):
    """The server status the Compute API shows for these states."""
    if vm_state == ACTIVE and task_state in _STATUS_BY_TASK_STATE:
        return _STATUS_BY_TASK_STATE[task_state]
    # A stopped server resizes too; a revert starts from VERIFY_RESIZE.
    if (vm_state in (STOPPED, RESIZED) and
            task_state in RESIZE_TASK_STATES + (RESIZE_REVERTING,)):
        return _STATUS_BY_TASK_STATE[task_state]
    return _STATUS_BY_VM_STATE.get(vm_state, 'UNKNOWN')


def vm_states_for_status(status):
    """The vm_states whose API status is `status` (for list filters)."""
    status = status.upper()
    return [vm for vm, st in _STATUS_BY_VM_STATE.items() if st == status]
