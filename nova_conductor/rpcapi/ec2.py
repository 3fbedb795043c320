"""The EC2 API's rows (nova-api's EC2 front end, nova-manage)."""


class EC2API:
    # (1.26)
    def ec2_credential_create(self, ctxt, user_id, project_id):
        return self.call(ctxt, 'ec2_credential_create', '1.26',
                         user_id=user_id, project_id=project_id)

    # (1.26)
    def ec2_credential_get(self, ctxt, access):
        """{'access', 'secret', 'user_id', 'project_id', 'created_at'}."""
        return self.call(ctxt, 'ec2_credential_get', '1.26', access=access)

    # (1.26)
    def ec2_credential_list(self, ctxt, project_id=None, user_id=None):
        return self.call(ctxt, 'ec2_credential_list', '1.26',
                         project_id=project_id, user_id=user_id)

    # (1.26)
    def ec2_credential_delete(self, ctxt, access):
        return self.call(ctxt, 'ec2_credential_delete', '1.26',
                         access=access)

    # (1.26)
    def ec2_client_token_claim(self, ctxt, project_id, client_token,
                               request_hash):
        """None when the caller now owns the token; else the earlier
        claim {'request_hash', 'reservation_id'}."""
        return self.call(ctxt, 'ec2_client_token_claim', '1.26',
                         project_id=project_id, client_token=client_token,
                         request_hash=request_hash)

    # (1.26)
    def ec2_client_token_set(self, ctxt, project_id, client_token,
                             reservation_id):
        return self.call(ctxt, 'ec2_client_token_set', '1.26',
                         project_id=project_id, client_token=client_token,
                         reservation_id=reservation_id)

    # (1.26)
    def ec2_client_token_release(self, ctxt, project_id, client_token):
        return self.call(ctxt, 'ec2_client_token_release', '1.26',
                         project_id=project_id, client_token=client_token)
