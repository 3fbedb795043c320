"""Console proxies: nova-serialproxy and nova-novncproxy (docs/consoles.md).

Each carries a browser's websocket to a guest's console port on its
compute host, once the conductor has accepted (and spent) the one-time
token the websocket's URL holds."""
