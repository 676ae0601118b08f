#!/bin/sh
# Install the Debian 12 packages XSC builds and tests with. Idempotent:
# packages already present are left alone, and apt-get update runs only
# when something is missing. Run as root (or through sudo).
set -eu

packages="
  meson ninja-build ccache python3 git
  gcc make bc bison flex libssl-dev libelf-dev cpio gawk dwarves xz-utils
  patch rsync
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross g++-aarch64-linux-gnu
  gcc-x86-64-linux-gnux32 libc6-dev-x32-cross g++-x86-64-linux-gnux32 g++
  linux-source-6.1 glibc-source gcc-12-source
  qemu-system-x86 qemu-system-arm
  autoconf automake libtool dpkg-dev qemu-user cmake pkgconf
"

if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

# tests/packages cross-builds Debian source packages from the same
# archive, through apt-get source, which needs a deb-src line
debsrc=/etc/apt/sources.list.d/xsc-deb-src.sources
need_update=
if [ ! -f "$debsrc" ]; then
    printf '%s\n' '# added by XSC ci/install-deps.sh: source packages for tests/packages' \
        'Types: deb-src' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm bookworm-updates' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
        $SUDO tee "$debsrc" >/dev/null
    need_update=yes
fi

missing=
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    if [ -n "$need_update" ]; then
        $SUDO apt-get update -q
    fi
    echo "install-deps: all packages present"
    exit 0
fi

echo "install-deps: installing:$missing"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
