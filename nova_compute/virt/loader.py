"""Picks the hypervisor driver nova-compute runs.

Kept apart from the driver interface (virt/driver.py), which every driver
imports: a loader there would import the drivers back.
"""


def load_driver(conf):
    """The driver nova-compute uses ([DEFAULT] compute_driver): libvirt
    or fake, reading its options from conf."""
    if conf.compute_driver == 'fake':
        from nova_compute.virt import fake
        return fake.FakeDriver(conf)
    # Imported here so code that only needs the loader does not pay for
    # libvirt-python until a driver is really made.
    from nova_compute.virt.libvirt import driver as libvirt_driver
    return libvirt_driver.LibvirtDriver(conf)
