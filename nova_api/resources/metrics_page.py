"""/metrics on the API's port (the all-in-one): Prometheus text.

No token (Prometheus sends none), so only loopback callers get it, unless
[metrics] listen is not a loopback address (the operator opened the
metrics to the network, and filters who may reach them).
"""

import falcon

from common import exception
from common import metrics
from common.conf import CONF


class MetricsPage:

    def on_get(self, req, resp):
        if not (metrics.loopback(req.remote_addr) or
                not metrics.loopback(CONF.metrics.listen)):
            raise exception.Forbidden(
                'Metrics are served to loopback callers only ([metrics] '
                'listen).')
        body, content_type = metrics.exposition()
        resp.status = falcon.HTTP_200
        resp.content_type = content_type
        resp.data = body
