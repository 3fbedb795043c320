"""The metadata service's RPC endpoint: what the conductor tells every
metadata process (one fanout queue each)."""

import oslo_messaging as messaging


class MetadataManager:
    target = messaging.Target(version='1.0')

    def __init__(self, service):
        self.service = service  # app.MetadataService

    # (1.0)
    def forget_addresses(self, context, addresses):
        self.service.forget_addresses(addresses)
