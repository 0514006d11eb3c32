#!/bin/bash
# Builds the Debian package of the server, target/chorus_<version>_all.deb, from the server jar.
# web/pom.xml runs it in `package`, after the jar is made:  build-deb.sh <version> <jar> <out dir>
# The package: the jar in /usr/share/chorus, /usr/bin/chorus, a systemd unit (chorus.service, run as
# user chorus), configuration in /etc/chorus/chorus.conf (and /etc/default/chorus for the JVM's
# options), the data directory /var/lib/chorus; it depends on a Java 17 runtime and suggests coturn.
set -euo pipefail
version=$1 jar=$2 out=$3
if ! command -v dpkg-deb > /dev/null; then
    # Not a Debian-like system: the jar is all the build makes (DebianPackageIT then fails, saying why).
    echo "dpkg-deb not found: no Debian package built"
    exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
debver=${version/-SNAPSHOT/~snapshot} # a snapshot sorts before its release
stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT
install -D -m 0644 "$jar" "$stage/usr/share/chorus/chorus-server.jar"
install -D -m 0755 "$here/chorus" "$stage/usr/bin/chorus"
install -D -m 0644 "$here/chorus.conf" "$stage/etc/chorus/chorus.conf"
install -D -m 0644 "$here/default" "$stage/etc/default/chorus"
install -D -m 0644 "$here/chorus.service" "$stage/lib/systemd/system/chorus.service"
install -D -m 0644 "$here/copyright" "$stage/usr/share/doc/chorus/copyright"
install -d "$stage/DEBIAN"
sed -e "s/@VERSION@/$debver/" -e "s/@SIZE@/$(du -sk "$stage" | cut -f1)/" "$here/control" > "$stage/DEBIAN/control"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
printf '/etc/chorus/chorus.conf\n/etc/default/chorus\n' > "$stage/DEBIAN/conffiles"
mkdir -p "$out"
# The jar is compressed already: the fastest gzip level costs nothing in size.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$out/chorus_${debver}_all.deb" > /dev/null
echo "built $out/chorus_${debver}_all.deb"
