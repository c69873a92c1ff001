#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test and package.
set -euo pipefail
pkgs=(build-essential cmake pkg-config ca-certificates
      libboost-dev libcurl4-openssl-dev rapidjson-dev libinih-dev catch2 zlib1g-dev libssl-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
