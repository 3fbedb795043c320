"""Serves the dashboard's static files and its config.json from nova-api."""

import json
import os
import urllib.parse

import falcon

from common.conf import CONF

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'static')
PREFIX = '/dashboard'


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    return '%s://%s' % (parts.scheme, parts.netloc) if parts.netloc else ''


def client_config():
    """What the browser needs before login: how to log in, and where to."""
    regions = [{'name': name, 'compute_url': url.rstrip('/')}
               for name, url in sorted(CONF.dashboard.regions.items())]
    return {
        'auth_strategy': CONF.api.auth_strategy,
        'identity_url': CONF.dashboard.identity_url.rstrip('/'),
        'user_domain': CONF.dashboard.user_domain,
        'regions': regions,
        'image_url': CONF.dashboard.image_url.rstrip('/'),
        'volume_url': CONF.dashboard.volume_url.rstrip('/'),
        'compute_api_version': '2.1',
    }


def content_security_policy(config):
    # The page talks only to this origin plus the endpoints it is told of.
    # The serial console tab's websocket goes to nova-serialproxy.
    others = sorted({_origin(u) for u in
                     [config['identity_url'], config['image_url'],
                      config['volume_url'], CONF.serial_console.base_url] +
                     [r['compute_url'] for r in config['regions']]} - {''})
    connect = ' '.join(["'self'"] + others)
    return ("default-src 'self'; connect-src %s; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            % connect)


class Index:
    """The single page; every view is drawn by the JavaScript modules."""

    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_HTML
        resp.set_header('Cache-Control', 'no-cache')
        resp.set_header('Content-Security-Policy',
                        content_security_policy(client_config()))
        resp.set_header('X-Content-Type-Options', 'nosniff')
        resp.stream = open(os.path.join(STATIC_DIR, 'index.html'), 'rb')


class Config:

    def on_get(self, req, resp):
        resp.set_header('Cache-Control', 'no-cache')
        resp.text = json.dumps(client_config())
        resp.content_type = falcon.MEDIA_JSON


def mount(app):
    """Add the dashboard's routes to the nova-api falcon app."""
    app.add_route(PREFIX, Index())
    app.add_route(PREFIX + '/config.json', Config())
    app.add_static_route(PREFIX + '/static', STATIC_DIR)
