"""All config options, registered on the one global CONF every daemon reads.

Options live per group in the modules beside this one; `opts.list_opts`
feeds oslo-config-generator, which writes etc/nova.conf.sample.
"""

from oslo_config import cfg

from common.conf import api
from common.conf import cinder
from common.conf import compute
from common.conf import conductor
from common.conf import console
from common.conf import dashboard
from common.conf import database
from common.conf import default
from common.conf import ec2
from common.conf import fake
from common.conf import glance
from common.conf import healthcheck
from common.conf import libvirt
from common.conf import metadata
from common.conf import metrics
from common.conf import network
from common.conf import quota
from common.conf import resize
from common.conf import scheduler
from common.conf import service_user
from common.conf import servicegroup
from common.conf import upgrade_levels
from common.conf import wsgi

CONF = cfg.CONF

MODULES = (default, compute, conductor, database, api, scheduler, libvirt,
           network, quota, dashboard, glance, upgrade_levels, wsgi, metadata,
           cinder, service_user, resize, console, fake, servicegroup,
           healthcheck, metrics, ec2)

for _module in MODULES:
    _module.register_opts(CONF)
