#!/usr/bin/env bash
# Installs the Debian packages the local lab and the tests need, when they are missing.
#   lab:  systemd-nspawn, debootstrap, ip, nft (a class's NAT), ssh, ssh-keygen
#   test: the lab's, plus sshd (tests start real ones on loopback), xmllint (JUnit schema checks), packer (the
#         Packer template in examples/ci is built for real) and Chromium with a Korean font (the class scoreboard's
#         browser test; playwright-core drives Debian's Chromium, nothing is downloaded from a browser vendor)
set -euo pipefail

lab=(systemd-container debootstrap iproute2 nftables openssh-client)
test=("${lab[@]}" openssh-server libxml2-utils packer chromium fonts-nanum)
case "${1:-}" in
  lab) wanted=("${lab[@]}") ;;
  test) wanted=("${test[@]}") ;;
  *) echo "usage: $0 lab|test" >&2; exit 2 ;;
esac

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "labspec: missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "labspec: installing Debian packages: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
