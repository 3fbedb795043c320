"""The EC2 errors: each is an AWS error code boto3 users catch, its HTTP
status and a message. Actions raise these; app.py renders them."""


class EC2Error(Exception):
    code = 'InternalError'
    status = 500

    def __init__(self, message, code=None, status=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class AuthFailure(EC2Error):
    code = 'AuthFailure'
    status = 401


class SignatureDoesNotMatch(EC2Error):
    code = 'SignatureDoesNotMatch'
    status = 403


class UnauthorizedOperation(EC2Error):
    code = 'UnauthorizedOperation'
    status = 403


class InvalidAction(EC2Error):
    code = 'InvalidAction'
    status = 400


class InvalidParameterValue(EC2Error):
    code = 'InvalidParameterValue'
    status = 400


class InvalidParameterCombination(EC2Error):
    code = 'InvalidParameterCombination'
    status = 400


class MissingParameter(EC2Error):
    code = 'MissingParameter'
    status = 400


class UnknownParameter(EC2Error):
    code = 'UnknownParameter'
    status = 400


class InvalidRequest(EC2Error):
    code = 'InvalidRequest'
    status = 400


class UnsupportedOperation(EC2Error):
    code = 'UnsupportedOperation'
    status = 400


class IncorrectInstanceState(EC2Error):
    code = 'IncorrectInstanceState'
    status = 400


class IdempotentParameterMismatch(EC2Error):
    code = 'IdempotentParameterMismatch'
    status = 400


class LimitExceeded(EC2Error):
    code = 'InstanceLimitExceeded'
    status = 400


class InsufficientCapacity(EC2Error):
    code = 'InsufficientInstanceCapacity'
    status = 500


class NotFound(EC2Error):
    """`code` names the kind: InvalidInstanceID.NotFound..."""
    status = 400


class Duplicate(EC2Error):
    status = 400


class ServiceUnavailable(EC2Error):
    code = 'Unavailable'
    status = 503
