#!/usr/bin/env bash
# The Prometheus alerting rules in deploy/prometheus: promtool's syntax and PromQL check, then
# the rules' unit tests (homeport-alerts_test.yml), which show each alert firing when it should
# and silent otherwise. Registered with ctest (tests/CMakeLists.txt); needs only promtool, no
# running Prometheus.
set -euo pipefail

dir="$(cd "$(dirname "$0")/../../deploy/prometheus" && pwd)"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool_test: promtool not found; scripts/install-deps.sh installs it (Debian package prometheus)" >&2
  exit 1
fi
cd "$dir"
promtool check rules homeport-alerts.yml
promtool test rules homeport-alerts_test.yml
