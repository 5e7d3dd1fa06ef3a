#!/usr/bin/env bash
# Installs the Debian packages PixelPipe builds and runs against, when they are missing.
# Used by scripts/test and scripts/run; safe to run again (it only installs what is absent).
#   scripts/setup-system.sh [--containers]
# ShellCheck and python3-yaml serve the infra/ scripts and their tests (infra/lib/topology.py
# reads infra/pipeline.yaml with PyYAML). --containers adds what infra/test-container.sh
# needs: podman, buildah and runc (no Docker engine runs here), debootstrap for the base image.
# Chromium and its WebDriver run the web console's browser test (selenium, installed by scripts/test).
set -euo pipefail

packages=(libvips-dev libvips-tools libcurl4-openssl-dev libsqlite3-dev pkg-config shellcheck python3-yaml chromium chromium-driver)
if [ "${1:-}" = --containers ]; then packages+=(podman buildah runc debootstrap curl binutils); fi
# Debian's own python3 needs python3-venv for the test tools' virtualenv; a python3 from
# elsewhere (pyenv) brings venv itself.
if [ "$(command -v python3)" = /usr/bin/python3 ]; then packages+=(python3-venv); fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift 6.3 is required on PATH" >&2; exit 1; }
