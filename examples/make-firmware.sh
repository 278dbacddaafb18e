#!/usr/bin/env bash
# Makes a small firmware tree for `homeport audit build`: a global build for region sg, signed
# by the maker's root key with the maker tools, that repeats the 2019 mistake — the China
# variant's activation client (an APK whose config posts to zzhc.vnet.cn) built in by error,
# its China manifest beside the right one.
#
#   examples/make-firmware.sh HOMEPORT ROOT_KEY OUT_DIR
#     HOMEPORT  the homeport binary (build/homeport)
#     ROOT_KEY  the maker's root secret key (homeport keys new --out root.key)
#     OUT_DIR   the tree to write (must not exist)
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 HOMEPORT ROOT_KEY OUT_DIR" >&2; exit 2; }
H=$1 key=$2 out=$3
[ ! -e "$out" ] || { echo "$0: $out exists" >&2; exit 1; }

mkdir -p "$out/system/etc/homeport" "$out/system/app/Activation" "$out/system/bin" \
  "$out/vendor/cn"
# The right manifest: region sg, its own servers.
"$H" manifest sign --root-key "$key" --region sg --variant global \
  --activation-url https://act.sg.example.com --uxp-url https://uxp.sg.example.com \
  --version 3 --out "$out/system/etc/homeport/manifest.jws" >/dev/null
# The mistake: the China variant's manifest, left in from the other build.
"$H" manifest sign --root-key "$key" --region cn --variant global \
  --activation-url http://zzhc.vnet.cn --uxp-url http://zzhc.vnet.cn \
  --version 1 --out "$out/vendor/cn/manifest.jws" >/dev/null

printf 'ro.product.model=HP7\nro.build.version.release=14\nro.homeport.region=sg\n' \
  >"$out/system/build.prop"
# A binary that only talks to allowed hosts (strings as a compiler leaves them).
printf '\177ELF\002\001\001\000https://uxp.sg.example.com/submit\000ntp time.example.org\000' \
  >"$out/system/bin/homeport-agent"
# The China variant's registration APK: a zip whose assets name the China Telecom endpoint.
python3 - "$out/system/app/Activation/Activation.apk" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as apk:
    apk.writestr("AndroidManifest.xml", "<manifest package=\"com.example.activation\"/>")
    apk.writestr("assets/config.json",
                 '{"register_url": "http://zzhc.vnet.cn/zzhc/register", "interval_h": 24}')
    apk.writestr("classes.dex", b"dex\n035\0" + b"com/example/activation/Register\0")
PY
echo "wrote $out: a global build for region sg with the China variant's activation client in it"
