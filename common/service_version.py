"""What version of this project a daemon runs, as the services table
records it (`nova-status upgrade check` reads it back).

SERVICE_VERSION goes up by one whenever a release changes an RPC API a
daemon serves; HISTORY says what each version speaks, so an operator
sees from the table which computes still need `[upgrade_levels]`
pins. A service with no version (None) registered before services had
one: older than 1.
"""

SERVICE_VERSION = 1

# version: (release, conductor RPC API, compute RPC API, scheduler RPC API)
HISTORY = {
    1: ('0.1.0', '1.24', '1.12', '1.3'),
}

# The oldest service version this release still works with: a rolling
# upgrade goes one release at a time.
MINIMUM_SUPPORTED = 1


def describe(version):
    """'version N (release R, compute RPC X)' for an operator."""
    if version is None:
        return 'no version (older than service versions)'
    release, conductor, compute, scheduler = HISTORY.get(
        version, ('unknown', '?', '?', '?'))
    return ('version %d (release %s; RPC conductor %s, compute %s, '
            'scheduler %s)' % (version, release, conductor, compute,
                               scheduler))
