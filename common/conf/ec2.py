"""[ec2]: the EC2 Query API (nova_api/ec2/): where it listens, which
region it names, and where Keystone checks EC2 signatures."""

from oslo_config import cfg

ec2_opts = [
    cfg.HostAddressOpt('listen', default='0.0.0.0',
                       help='Address the EC2 API listens on.'),
    cfg.PortOpt('port', default=8788,
                help='Port the EC2 API listens on.'),
    cfg.IntOpt('workers', default=8, min=1,
               help='Threads serving EC2 requests.'),
    cfg.StrOpt('region_name', default='RegionOne',
               help='The region DescribeRegions names. Clients may sign '
                    'with any region name; set theirs to this one.'),
    cfg.URIOpt('keystone_ec2_tokens_url',
               help='Keystone\'s /v3/ec2tokens, which checks a request\'s '
                    'signature against the EC2 credential '
                    '(`openstack ec2 credentials create`) when '
                    '[api] auth_strategy = keystone. Unset: '
                    '[keystone_authtoken] www_authenticate_uri + '
                    '/v3/ec2tokens.'),
    cfg.IntOpt('credential_cache_seconds', default=10, min=0,
               help='Without Keystone: seconds an access key read from '
                    'the database is reused, so a burst of requests is '
                    'not a conductor call each. A deleted key stops '
                    'working within this time.'),
    cfg.IntOpt('max_request_body_size', default=1024 * 1024, min=1024,
               help='Largest request body taken, in bytes (RunInstances\' '
                    'UserData is at most 16 KiB, base64: about 22 KiB).'),
]


def register_opts(conf):
    conf.register_opts(ec2_opts, group='ec2')


def list_opts():
    return {'ec2': ec2_opts}
