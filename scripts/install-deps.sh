#!/usr/bin/env bash
# Installs every Debian package homeport needs to build, test, demo and benchmark.
# Idempotent and quiet: when everything is present it only checks and returns.
set -euo pipefail

packages=(
  # toolchain, and the Debian package (make deb: dpkg-shlibdeps, file)
  g++ cmake ninja-build pkg-config ccache make dpkg-dev file
  # libraries (see README, "Why each dependency")
  libboost-dev libboost-system-dev libssl-dev libsodium-dev libsimdjson-dev
  nlohmann-json3-dev libyaml-cpp-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev
  zlib1g-dev libcli11-dev libspdlog-dev libfmt-dev libphonenumber-dev
  libpcap-dev libmaxminddb-dev libpsl-dev libarchive-dev publicsuffix libsystemd-dev
  # fuzzing (make fuzz): clang and its libFuzzer
  clang-15 libfuzzer-15-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev postgresql openssl curl wrk nginx-light
  influxdb tshark python3
  # the transparency log's cross-check (tests/tlog/go_crosscheck_test.cc): Go's sumdb/tlog and
  # sumdb/note, an independent implementation of the same Merkle tree and signed notes, built
  # offline in GOPATH mode from the packaged sources
  golang-go golang-golang-x-mod-dev
  # promtool, to check and unit-test the alerting rules in deploy/prometheus (the package
  # also enables a Prometheus service on :9090, homeport's default --admin-listen port)
  prometheus
  # the console's browser tests (tests/browser): Debian's Chromium, driven by playwright-core
  # from npm; DejaVu so the screenshots in docs/console/ render the same on every machine
  chromium fonts-dejavu-core
  # npm packages (package.json): the verifier's geo data, the console's chart library (uPlot,
  # embedded into the binary at build time) and playwright-core
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's npm package, unless a Node.js build that bundles npm (e.g. NodeSource's) is there.
command -v npm >/dev/null 2>&1 || missing+=(npm)

# npm packages pinned in package.json: the verifier's IP-to-country and IP-to-ASN data, uPlot
# (the build embeds it into the binary for the console) and playwright-core (browser tests).
install_npm_packages() {
  local root
  root="$(cd "$(dirname "$0")/.." && pwd)"
  if [ ! -f "$root/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb" ] ||
     [ ! -f "$root/node_modules/@ip-location-db/asn/asn-ipv4-num.csv" ] ||
     [ ! -f "$root/node_modules/uplot/dist/uPlot.iife.min.js" ] ||
     [ ! -f "$root/node_modules/playwright-core/package.json" ]; then
    echo "install-deps: npm install (geo data, the console's chart library, playwright-core)"
    (cd "$root" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_npm_packages
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them yourself) and try again" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_npm_packages
