"""Pieces every daemon shares: config, RPC plumbing, states, errors."""

import warnings

from oslo_service import backend as _oslo_service_backend

# futurist probes for eventlet by importing it (it is installed as an
# oslo.service dependency); nothing here uses it or monkey-patches, so its
# import-time deprecation banner is noise in every daemon's log.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

# oslo.messaging pulls in oslo.service, whose default backend imports
# eventlet. We run on native threads, so pick its threading backend before
# anything imports oslo.messaging.
try:
    _oslo_service_backend.init_backend(
        _oslo_service_backend.BackendType.THREADING)
except _oslo_service_backend.exceptions.BackendAlreadySelected:
    # Only tools that load oslo.messaging before us (oslo-config-generator)
    # get here; our daemons import `common` first (a unit test checks).
    pass
