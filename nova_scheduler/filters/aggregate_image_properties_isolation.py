"""AggregateImagePropertiesIsolation: aggregates take only matching images."""

from common.conf import CONF
from nova_scheduler import filters


def _keys(host_state, namespace, separator):
    """The host's aggregate metadata keys this filter compares: all of them,
    or with a namespace only those starting '<namespace><separator>'."""
    if not namespace:
        return host_state.aggregate_metadata.keys()
    prefix = namespace + separator
    return [key for key in host_state.aggregate_metadata
            if key.startswith(prefix)]


def _conflict(host_state, properties, namespace, separator):
    """The first (key, image value, allowed values) that rules the host
    out, or None."""
    for key in _keys(host_state, namespace, separator):
        value = properties.get(key)
        if value is None or value == '':
            # An image silent on a key is welcome anywhere.
            continue
        allowed = host_state.aggregate_metadata[key]
        items = value if isinstance(value, (list, tuple)) else [value]
        if not all(str(item) in allowed for item in items):
            return key, value, allowed
    return None


class AggregateImagePropertiesIsolation(filters.BaseHostFilter):
    """Passes a host when, for each metadata key of its aggregates (within
    [filter_scheduler] aggregate_image_properties_isolation_namespace, if
    set), the image either lacks that property or has one of its values."""

    def host_passes(self, host_state, spec):
        opts = CONF.filter_scheduler
        return _conflict(
            host_state, _properties(spec),
            opts.aggregate_image_properties_isolation_namespace,
            opts.aggregate_image_properties_isolation_separator) is None

    def filter_mask(self, hosts, mask, spec):
        properties = _properties(spec)
        if not properties:
            return None
        opts = CONF.filter_scheduler
        namespace = opts.aggregate_image_properties_isolation_namespace
        separator = opts.aggregate_image_properties_isolation_separator
        return self.group_mask(
            hosts, mask, spec, (properties, namespace, separator),
            lambda host: _conflict(host, properties, namespace,
                                   separator) is None)

    def explain(self, host_state, spec):
        opts = CONF.filter_scheduler
        conflict = _conflict(
            host_state, _properties(spec),
            opts.aggregate_image_properties_isolation_namespace,
            opts.aggregate_image_properties_isolation_separator)
        if conflict is None:
            return super().explain(host_state, spec)
        key, value, allowed = conflict
        return ("the image has %s=%s, the best host's aggregates take %s"
                % (key, value, ', '.join(sorted(allowed))))


def _properties(spec):
    return (spec.get('image') or {}).get('properties') or {}
