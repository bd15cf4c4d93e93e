#!/usr/bin/env bash
# Provides Debian trixie's glibc loader and C/C++ runtime in node_modules/.cache/trixie-glibc,
# so the tested Chroma server (binding chromadb-js-bindings-linux-x64-gnu 1.3.4, which needs
# GLIBC_2.39) can run on hosts with an older glibc, such as Debian 12 (2.36): node is started
# through that loader (see src/vector-store/chroma-server.process.ts). Idempotent; prints the
# folder. Needs apt-get and access to a Debian mirror; it uses a private apt configuration, so
# the system's own sources, lists and package state are left untouched.
set -euo pipefail
cd "$(dirname "$0")/.."

dest="$PWD/node_modules/.cache/trixie-glibc"
packages=(libc6 libstdc++6 libgcc-s1)

if [ -f "$dest/.complete" ]; then
  echo "$dest"
  exit 0
fi
command -v apt-get >/dev/null || {
  echo "trixie-glibc: apt-get is needed to fetch Debian trixie's glibc" >&2
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{lists/partial,archives/partial,parts,preferences.d} "$work/debs"
echo 'deb http://deb.debian.org/debian trixie main' >"$work/sources.list"
apt_private=(
  -o "Dir::Etc::SourceList=$work/sources.list"
  -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::Etc::PreferencesParts=$work/preferences.d"
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::State::Status=/dev/null"
  -o "Dir::Cache::Archives=$work/archives"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Architecture=amd64"
  -o "APT::Sandbox::User=$(id -un)"
)
apt-get "${apt_private[@]}" -qq update >&2
(cd "$work/debs" && apt-get "${apt_private[@]}" -qq download "${packages[@]}" >&2)

rm -rf "$dest.partial"
mkdir -p "$dest.partial"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$dest.partial"
done
rm -rf "$dest"
mv "$dest.partial" "$dest"
touch "$dest/.complete"
echo "$dest"
