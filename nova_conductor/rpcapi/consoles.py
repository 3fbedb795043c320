"""Remote consoles: a console's URL for a user (nova-api), and its
one-time token checked by a console proxy (nova_console)."""


class ConsolesAPI:
    # (1.17)
    def instance_get_console(self, ctxt, instance_uuid, protocol,
                             console_type):
        """{'protocol', 'type', 'url'}: the URL holds a fresh token."""
        return self.call(ctxt, 'instance_get_console', '1.17',
                         instance_uuid=instance_uuid, protocol=protocol,
                         console_type=console_type)

    # (1.17)
    def console_token_consume(self, ctxt, token, console_type=None):
        """Where a token leads ({'host', 'port', 'instance_uuid', ...});
        the token is spent. InvalidToken when it is no good."""
        return self.call(ctxt, 'console_token_consume', '1.17', token=token,
                         console_type=console_type)

    # (1.17)
    def console_token_get(self, ctxt, token):
        """Where a live token leads, leaving it usable (admin API)."""
        return self.call(ctxt, 'console_token_get', '1.17', token=token)
