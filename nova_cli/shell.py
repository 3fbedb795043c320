"""novalite: the entry point, global options and the command table."""

import logging
import os
import sys

from cliff import app
from cliff import commandmanager

import nova_cli
from nova_cli import cloud
from nova_cli import commands

VERSION = '0.1.0'


def _env(*names, default=None):
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    return default


class NovaLite(app.App):

    NAME = 'novalite'

    def __init__(self):
        manager = commandmanager.CommandManager('nova_cli.commands')
        for name, factory in commands.COMMANDS:
            manager.add_command(name, factory)
        super().__init__(description=nova_cli.__doc__, version=VERSION,
                         command_manager=manager, deferred_help=True)
        self._cloud = None
        self._compute = None
        self._image = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        for action in parser._actions:
            if action.dest == 'debug':
                action.help = ('Show every HTTP request and response, and '
                               'tracebacks on errors.')
        opt = parser.add_argument
        # Defaults are left to openstacksdk's loader, which reads OS_*
        # itself; only the ones it does not know are read here.
        opt('--os-cloud', metavar='NAME',
            help='Cloud from clouds.yaml (env OS_CLOUD).')
        opt('--os-auth-type', metavar='TYPE',
            help='password (Keystone), none or admin_token (noauth).')
        opt('--os-auth-url', metavar='URL', help='Keystone URL.')
        opt('--os-endpoint', metavar='URL',
            help='noauth: the compute API, e.g. http://127.0.0.1:8774 '
                 '(env OS_ENDPOINT).')
        opt('--os-token', metavar='TOKEN',
            help='A token; in noauth mode "user:project" (env OS_TOKEN).')
        opt('--os-username', metavar='NAME')
        opt('--os-user-id', metavar='ID')
        opt('--os-password', metavar='PASSWORD')
        opt('--os-project-name', metavar='NAME')
        opt('--os-project-id', metavar='ID')
        opt('--os-user-domain-name', metavar='NAME')
        opt('--os-project-domain-name', metavar='NAME')
        opt('--os-region-name', metavar='REGION')
        opt('--os-interface', metavar='INTERFACE',
            help='Catalog interface: public, internal or admin.')
        opt('--os-compute-endpoint', metavar='URL',
            dest='os_compute_endpoint_override',
            help='Use this compute endpoint instead of the catalog\'s.')
        opt('--os-image-endpoint', metavar='URL',
            dest='os_image_endpoint_override',
            default=_env('OS_IMAGE_ENDPOINT'),
            help='Glance v2 endpoint for image create (env '
                 'OS_IMAGE_ENDPOINT); else the catalog\'s, or in noauth '
                 'mode /image on the compute API\'s host.')
        opt('--os-cacert', metavar='FILE')
        opt('--insecure', dest='os_insecure', action='store_true',
            default=None, help='Do not verify TLS certificates.')
        return parser

    def configure_logging(self):
        super().configure_logging()
        # Third-party chatter only with -v; --debug shows keystoneauth's
        # REQ/RESP lines (tokens hashed).
        for handler in logging.getLogger('').handlers:
            if isinstance(handler, logging.StreamHandler) and \
                    getattr(handler, 'stream', None) is self.stderr:
                handler.setLevel(logging.DEBUG if self.options.debug else
                                 logging.WARNING if
                                 self.options.verbose_level <= 1 else
                                 logging.DEBUG)
        for noisy in ('stevedore', 'urllib3', 'cliff'):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    @property
    def cloud(self):
        if self._cloud is None:
            self._cloud = cloud.Cloud(self.options)
        return self._cloud

    @property
    def compute(self):
        if self._compute is None:
            self._compute = self.cloud.compute()
        return self._compute

    @property
    def image(self):
        if self._image is None:
            self._image = self.cloud.image()
        return self._image

    def run(self, argv):
        if not argv:
            # No interactive shell: scripts get a usage error, people help.
            self.stderr.write('usage: novalite [options] COMMAND ...\n'
                              'Run "novalite --help" for the commands.\n')
            return 2
        return super().run(argv)

    def run_subcommand(self, argv):
        try:
            self.command_manager.find_command(argv)
        except ValueError:
            # cliff prints this on stdout; scripts parse stdout.
            self.stderr.write('novalite: \'%s\' is not a novalite command. '
                              'See \'novalite --help\'.\n' % ' '.join(argv))
            matches = self.get_fuzzy_matches(argv[0])
            if matches:
                self.stderr.write('Did you mean one of these?\n')
                for match in matches:
                    self.stderr.write('  %s\n' % match)
            return 2
        return super().run_subcommand(argv)


def main(argv=None):
    return NovaLite().run(sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
