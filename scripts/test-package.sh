#!/usr/bin/env bash
# Builds the Debian package (cpack, as `make deb` does) and checks it as a platform team gets it:
# its runtime dependencies declared and installable here, the binary stripped with its debug
# info apart, and, from the package's own files unpacked into an empty root (no source tree,
# no build directory): `homeport --version`, a region server on SQLite, an activation through
# the installed agent, one through a program built against the installed libhomeport, the
# shipped schemas and the verifier's geo data found by the installed binary.
#
#   scripts/test-package.sh BUILD_DIR
set -euo pipefail

build=$(cd "${1:?usage: test-package.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/homeport-package.XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-package: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
version=$(sed -n 's/^project(homeport VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
deb="$build/homeport_${version}_${arch}.deb"
[ -f "$deb" ] || fail "cpack wrote no $deb"

# Dependencies: declared by dpkg-shlibdeps, and satisfied on this Debian.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libsodium libpq5 libsqlite3 libcurl libssl3 libmaxminddb libphonenumber; do
  case "$depends" in *"$lib"*) ;; *) fail "Depends lacks $lib: $depends" ;; esac
done
dpkg --dry-run -i "$deb" >/dev/null || fail "dpkg refuses to install $deb here"

root="$work/root"
dpkg-deb -x "$deb" "$root"
H="$root/usr/bin/homeport"
case "$(file -b "$H")" in
  *"not stripped"*) fail "the packaged binary is not stripped" ;;
esac
ls "$build"/homeport-dbgsym_"${version}"_"${arch}".ddeb >/dev/null 2>&1 ||
  fail "no debug-info package beside $deb"
for f in usr/include/homeport/agent.h usr/share/homeport/schemas/homeport-agent/metrics.yaml \
         usr/share/homeport/geo/geo-whois-asn-country.mmdb; do
  [ -f "$root/$f" ] || fail "the package lacks /$f"
done

# The service: its unit verifies (the binary path pointed into this root), and the example
# configuration passes `serve --check` once its files exist.
unit="$root/usr/lib/systemd/system/homeport.service"
[ -f "$unit" ] || fail "the package lacks /usr/lib/systemd/system/homeport.service"
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/bin/homeport|$H|g" "$unit" >"$work/homeport.service"
  systemd-analyze verify "$work/homeport.service" || fail "systemd-analyze verify refuses the unit"
fi
example="$root/usr/share/doc/homeport/examples/homeport.toml"
[ -f "$example" ] || fail "the package lacks the example configuration"

"$H" --version | grep -Eq "^homeport $version \(commit [0-9a-f]{12}|^homeport $version \(commit unknown" ||
  fail "unexpected --version: $("$H" --version)"
"$H" catalogue --schemas "$root/usr/share/homeport/schemas" --json >/dev/null ||
  fail "the shipped schemas do not load"

# A region: keys, a batch of two devices, their enrollment, a server, its manifest.
cd "$work"
"$H" keys new --out root.key >/dev/null
"$H" factory batch --root-pub root.key.pub --count 2 --model HP7 --sku HP7-64 --variant global \
  --region sg --batch B1 --out batch >/dev/null
"$H" enroll --store sqlite:sg.db --region sg batch/enrollment.csv >/dev/null
"$H" serve --region sg --store sqlite:sg.db --listen 127.0.0.1:0 >serve.out 2>serve.log &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' serve.out)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat serve.log >&2; fail "the installed server did not start"; }
"$H" manifest sign --root-key root.key --region sg --variant global \
  --activation-url "http://127.0.0.1:$port" --uxp-url "http://127.0.0.1:$port" --version 1 \
  --out manifest.jws >/dev/null

# The example configuration, its paths moved into this test's directory, checks clean.
mkdir -p tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls/privkey.pem \
  -out tls/fullchain.pem -days 2 -subj /CN=localhost 2>/dev/null
cp manifest.jws manifest-sg.jws
sed -e "s|/var/lib/homeport|$work|g" -e "s|/etc/homeport|$work|g" "$example" >homeport.toml
"$H" serve --config homeport.toml --check >/dev/null || fail "the example configuration does not check"

start=$("$H" agent activate --profile batch/devices/B1-000001.json --manifest manifest.jws \
  --state state1)
[[ "$start" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || fail "agent activate printed \"$start\""

# A device integrator's program, built against the installed header and library only.
pc_dir=$(dirname "$(find "$root" -name homeport.pc | head -1)")
flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs homeport)
# shellcheck disable=SC2086
c++ -std=c++20 "$src/examples/integrator/activate.cc" $flags -o activate ||
  fail "examples/integrator/activate.cc does not build against the installed libhomeport"
out=$(./activate batch/devices/B1-000002.json manifest.jws state2)
[[ "$out" == "B1-000002 activated warranty_start "* ]] || fail "the integrator's program printed \"$out\""

# The verifier's geo data, found beside the installed binary.
echo '{"region": "sg", "allow_hosts": ["*.example.com"]}' >policy.json
if "$H" audit capture --policy policy.json "$src/tests/data/captures/dns.pcap" --json \
     >capture.json 2>capture.err; then :; fi
grep -q "geo database" capture.err && fail "the installed verifier found no geo data: $(cat capture.err)"
grep -q '"flows"\|"destinations"' capture.json || fail "audit capture wrote no report: $(cat capture.err)"

echo "test-package: $(basename "$deb") ($(du -h "$deb" | cut -f1)) installs and activates from its own files"
