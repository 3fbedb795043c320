#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian/Ubuntu machine:
# system packages (libvirt headers to build libvirt-python, qemu-img; libvirtd,
# QEMU and busybox for the real-guest test; Chromium for the dashboard's
# browser tests; xorriso, genisoimage, dosfstools and mtools for config
# drives), then a virtualenv in .venv with the project and its test tools,
# Keystone, Tempest and Cinder in venvs of their own, Debian's cloud-init
# unpacked into .venv-cloud-init, and Ceph's daemons for a test cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(libvirt-dev pkg-config qemu-utils python3-venv python3-dev gcc)
# systemd-analyze, for tests/unit/common/test_systemd.py, which verifies the
# units in etc/systemd.
PACKAGES+=(systemd)
# For tests/functional/test_real_guest.py, which boots a real guest under
# QEMU (TCG) through libvirtd: the daemon, the emulator, and busybox for the
# guest's initramfs. Installed without their recommends (those pull in every
# QEMU architecture and a GUI). The guest's kernel is not installed here:
# tests/functional/guest_image.py runs `apt-get download` for the package
# linux-image-amd64 depends on and copies only its vmlinuz and the modules
# the guest needs into a cache, so nothing lands in the host's /boot; that needs apt's
# package lists, so they are fetched here when there are none.
GUEST_PACKAGES=(qemu-system-x86 libvirt-daemon-system busybox-static)
# For tests/functional/test_dashboard.py: Playwright (Python, from the test
# extra) drives this Chromium; Playwright's own browser download is never used.
GUEST_PACKAGES+=(chromium)
# For tests/functional/cloud_init_readers.py: xorriso and genisoimage read and
# write config drive ISOs, and Debian's python3 gets the Python packages the
# cloud-init .deb depends on (see .venv-cloud-init below).
GUEST_PACKAGES+=(xorriso genisoimage python3-configobj python3-jinja2
  python3-jsonpatch python3-jsonschema python3-netifaces python3-oauthlib
  python3-requests python3-serial python3-yaml)
# For nova-compute's vfat config drives ([DEFAULT] config_drive_format =
# vfat): mkfs.vfat makes the file system, mtools' mcopy fills it.
GUEST_PACKAGES+=(dosfstools mtools)
# For tests/functional/netns_hosts.py (live migration between two libvirtds,
# each in its own network namespace): ip netns and veth pairs.
GUEST_PACKAGES+=(iproute2)
# Remote consoles (docs/consoles.md): nova-novncproxy serves Debian's noVNC
# pages; npm fetches xterm.js for the dashboard's serial console tab (below).
GUEST_PACKAGES+=(novnc)
command -v npm >/dev/null 2>&1 || GUEST_PACKAGES+=(npm)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
missing_guest=()
for pkg in "${GUEST_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing_guest+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_guest[@]} -gt 0 ] ||
   ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi
if [ ${#missing_guest[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing_guest[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing_guest[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip >/dev/null
.venv/bin/pip install -q -e '.[test]'
echo "Installed into .venv"

# xterm.js for the dashboard's serial console tab, from npm, vendored into
# nova_dashboard/static/vendor/ (git-ignored): nova-api serves it, so the
# browser loads nothing from elsewhere.
XTERM_VERSION=6.0.0
XTERM_DIR=nova_dashboard/static/vendor/xterm
if [ ! -f "$XTERM_DIR/xterm.js" ] || ! grep -qs "$XTERM_VERSION" "$XTERM_DIR/VERSION"; then
  xterm_tmp=$(mktemp -d)
  (cd "$xterm_tmp" && npm pack -q "@xterm/xterm@$XTERM_VERSION" >/dev/null &&
   tar -xzf xterm-xterm-*.tgz)
  mkdir -p "$XTERM_DIR"
  cp "$xterm_tmp/package/lib/xterm.js" "$xterm_tmp/package/css/xterm.css" \
    "$xterm_tmp/package/LICENSE" "$XTERM_DIR/"
  echo "$XTERM_VERSION" > "$XTERM_DIR/VERSION"
  rm -rf "$xterm_tmp"
  echo "Vendored xterm.js $XTERM_VERSION into $XTERM_DIR"
fi

# A real Keystone for tests/functional/test_keystone_auth.py, in a venv of
# its own because its pins clash with ours; served by gunicorn through
# tools/keystone_wsgi.py. psycopg2 lets it run on PostgreSQL, as it does
# under Tempest's load (tests/tempest/cloud.py). NOVA_SKIP_KEYSTONE=1
# skips it (those tests skip).
if [ "${NOVA_SKIP_KEYSTONE:-0}" != 1 ]; then
  if [ ! -x .venv-keystone/bin/keystone-manage ]; then
    "$PYTHON" -m venv .venv-keystone
    .venv-keystone/bin/pip install -q --upgrade pip >/dev/null
    .venv-keystone/bin/pip install -q keystone gunicorn psycopg2-binary
    echo "Installed Keystone into .venv-keystone"
  elif ! .venv-keystone/bin/python -c 'import psycopg2' 2>/dev/null; then
    .venv-keystone/bin/pip install -q psycopg2-binary
    echo "Installed psycopg2 into .venv-keystone"
  fi
fi

# Tempest for tests/functional/test_tempest.py and `make tempest`, pinned
# and in a venv of its own (its requirements are not ours). The stamp
# names the version, so changing TEMPEST_VERSION installs it again.
# NOVA_SKIP_TEMPEST=1 skips it (that test skips).
TEMPEST_VERSION=47.0.0
if [ "${NOVA_SKIP_TEMPEST:-0}" != 1 ] &&
   [ ! -e ".venv-tempest/.installed-$TEMPEST_VERSION" ]; then
  "$PYTHON" -m venv .venv-tempest
  .venv-tempest/bin/pip install -q --upgrade pip >/dev/null
  .venv-tempest/bin/pip install -q "tempest==$TEMPEST_VERSION"
  rm -f .venv-tempest/.installed-*
  touch ".venv-tempest/.installed-$TEMPEST_VERSION"
  echo "Installed Tempest $TEMPEST_VERSION into .venv-tempest"
fi

# cloud-init for tests/functional/cloud_init_readers.py, which proves the
# metadata service and config drive with cloud-init's own readers. PyPI has
# no cloud-init release, and installing Debian's package would enable its
# boot-time systemd units and pull in a DHCP client on this machine. So the
# .deb is only unpacked (dpkg-deb -x) into .venv-cloud-init, a venv of
# Debian's own python3 that sees the system site-packages: there the
# Python packages the .deb depends on are installed from Debian above, the
# versions this cloud-init release is built and tested with (PyPI's newest
# could break it). Debian's python3 is /usr/bin/python3, not $PYTHON. The
# stamp names the version, so a new Debian release of cloud-init is
# unpacked again. NOVA_SKIP_CLOUD_INIT=1 skips it (those tests skip).
if [ "${NOVA_SKIP_CLOUD_INIT:-0}" != 1 ]; then
  CLOUD_INIT_VERSION=$(apt-cache show --no-all-versions cloud-init |
                       sed -n 's/^Version: //p')
  if [ -z "$CLOUD_INIT_VERSION" ]; then
    echo "apt knows no cloud-init package" >&2
    exit 1
  fi
  if [ ! -e ".venv-cloud-init/.installed-$CLOUD_INIT_VERSION" ]; then
    rm -rf .venv-cloud-init
    /usr/bin/python3 -m venv --system-site-packages --without-pip \
      .venv-cloud-init
    debdir=$(mktemp -d)
    # apt-get download drops privileges to _apt, which must write here.
    chmod 777 "$debdir"
    # Old package lists may name a version the mirror no longer has.
    if ! (cd "$debdir" && apt-get download -qq "cloud-init=$CLOUD_INIT_VERSION"); then
      $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
      CLOUD_INIT_VERSION=$(apt-cache show --no-all-versions cloud-init |
                           sed -n 's/^Version: //p')
      (cd "$debdir" && apt-get download -qq "cloud-init=$CLOUD_INIT_VERSION")
    fi
    dpkg-deb -x "$debdir"/cloud-init_*.deb .venv-cloud-init/cloud-init
    rm -rf "$debdir"
    # A .pth puts the unpacked package on the venv's path.
    site=$(.venv-cloud-init/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$PWD/.venv-cloud-init/cloud-init/usr/lib/python3/dist-packages" \
      > "$site/cloud-init.pth"
    .venv-cloud-init/bin/python -c 'import cloudinit.sources.helpers.openstack'
    touch ".venv-cloud-init/.installed-$CLOUD_INIT_VERSION"
    echo "Unpacked cloud-init $CLOUD_INIT_VERSION into .venv-cloud-init"
  fi
fi

# A single-node Ceph and a real Cinder for tests/functional/ceph.py and
# tests/functional/cinder.py (volumes, boot from volume, RBD disks). Ceph
# comes from Debian (the monitor, the OSD and the mgr daemons, the ceph and
# rbd tools, the Python rados/rbd bindings, and QEMU's rbd: block driver),
# without its recommends (74 packages instead of 89: those add the MDS and
# FUSE). Cinder comes from PyPI, pinned, in a venv of its own (its pins
# clash with ours) that sees the system site-packages, because the
# rados/rbd bindings are Debian's, built for /usr/bin/python3. psycopg2
# lets it run on PostgreSQL, as operators run it. The stamp names the
# version, so changing CINDER_VERSION installs it again.
# NOVA_SKIP_CINDER=1 skips both (those tests skip).
CEPH_PACKAGES=(ceph-mon ceph-osd ceph-mgr ceph-common python3-rbd
  python3-rados qemu-block-extra)
CINDER_VERSION=29.0.0
if [ "${NOVA_SKIP_CINDER:-0}" != 1 ]; then
  missing_ceph=()
  for pkg in "${CEPH_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing_ceph+=("$pkg")
  done
  if [ ${#missing_ceph[@]} -gt 0 ]; then
    echo "Installing Ceph: ${missing_ceph[*]}"
    ceph_install() {
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get \
        -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        "${missing_ceph[@]}" >/dev/null
    }
    # Old package lists may name versions the mirror no longer has.
    if ! ceph_install; then
      $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
      ceph_install
    fi
  fi
  if [ ! -e ".venv-cinder/.installed-$CINDER_VERSION" ]; then
    echo "Installing Cinder $CINDER_VERSION into .venv-cinder"
    rm -rf .venv-cinder
    /usr/bin/python3 -m venv --system-site-packages .venv-cinder
    .venv-cinder/bin/pip install -q --upgrade pip >/dev/null
    .venv-cinder/bin/pip install -q "cinder==$CINDER_VERSION" psycopg2-binary
    # Debian's pyOpenSSL is too old for the cryptography pip brings
    # ("module 'lib' has no attribute 'GEN_EMAIL'" at import).
    .venv-cinder/bin/pip install -q -U pyopenssl
    .venv-cinder/bin/python -W ignore -c \
      'import rbd, rados, cinder.volume.drivers.rbd'
    touch ".venv-cinder/.installed-$CINDER_VERSION"
    echo "Installed Cinder $CINDER_VERSION into .venv-cinder"
  fi
fi
