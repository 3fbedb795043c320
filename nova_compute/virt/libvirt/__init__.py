"""The libvirt virt driver (kvm, qemu, or libvirt's test driver)."""
