"""Users' key pairs (nova-api)."""


class KeypairsAPI:
    # (1.0; 1.1 with user_id)
    def keypair_create(self, ctxt, name, public_key, fingerprint,
                       key_type='ssh', user_id=None):
        extra = {'user_id': user_id} if user_id else {}
        return self.call(ctxt, 'keypair_create', '1.1' if extra else '1.0',
                         name=name, public_key=public_key,
                         fingerprint=fingerprint, key_type=key_type, **extra)

    # (1.0; 1.1 with user_id)
    def keypair_get(self, ctxt, name, user_id=None):
        extra = {'user_id': user_id} if user_id else {}
        return self.call(ctxt, 'keypair_get', '1.1' if extra else '1.0',
                         name=name, **extra)

    # (1.0; 1.1 with user_id or paging)
    def keypair_get_all(self, ctxt, user_id=None, limit=None, marker=None):
        extra = {k: v for k, v in (('user_id', user_id), ('limit', limit),
                                   ('marker', marker)) if v is not None}
        return self.call(ctxt, 'keypair_get_all', '1.1' if extra else '1.0',
                         **extra)

    # (1.0; 1.1 with user_id)
    def keypair_delete(self, ctxt, name, user_id=None):
        extra = {'user_id': user_id} if user_id else {}
        return self.call(ctxt, 'keypair_delete', '1.1' if extra else '1.0',
                         name=name, **extra)
