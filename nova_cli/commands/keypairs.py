"""keypair list, show, create, delete."""

import os

from cliff import command
from cliff import lister
from cliff import show

from nova_cli import resolve


class ListKeypair(lister.Lister):
    """List your key pairs."""

    def take_action(self, args):
        found = self.app.compute.get('/os-keypairs')['keypairs']
        return ('Name', 'Fingerprint'), [
            (k['keypair']['name'], k['keypair']['fingerprint'])
            for k in found]


class ShowKeypair(show.ShowOne):
    """Show a key pair."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        return parser

    def take_action(self, args):
        keypair = self.app.compute.get('/os-keypairs/%s' % resolve.quote(
            args.name))['keypair']
        fields = ('name', 'fingerprint', 'user_id', 'created_at',
                  'public_key')
        return fields, tuple(keypair.get(f) for f in fields)


class CreateKeypair(show.ShowOne):
    """Create a key pair: import --public-key, or have one generated."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='NAME')
        source = parser.add_mutually_exclusive_group()
        source.add_argument('--public-key', metavar='FILE',
                            help='Import this public key.')
        source.add_argument('--private-key', metavar='FILE',
                            help='Generate, and write the private key to '
                                 'FILE (mode 600) instead of showing it.')
        return parser

    def take_action(self, args):
        body = {'name': args.name}
        if args.public_key:
            with open(os.path.expanduser(args.public_key)) as f:
                body['public_key'] = f.read()
        keypair = self.app.compute.post('/os-keypairs',
                                        {'keypair': body})['keypair']
        fields = ['name', 'fingerprint', 'user_id']
        values = [keypair.get(f) for f in fields]
        private = keypair.get('private_key')
        if private and args.private_key:
            fd = os.open(os.path.expanduser(args.private_key),
                         os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, 'w') as f:
                f.write(private)
        elif private:
            fields.append('private_key')
            values.append(private)
        return fields, values


class DeleteKeypair(command.Command):
    """Delete key pairs."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('names', metavar='NAME', nargs='+')
        return parser

    def take_action(self, args):
        for name in args.names:
            self.app.compute.delete('/os-keypairs/%s' % resolve.quote(name))
        return 0
