#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# `tphtrace devices --config-dump` against Debian's lspci (pciutils 3.9) and
# against the corpus generator's declared ground truth.
#
#   tests/devices/check-lspci.sh [TPHTRACE]     (default .output/tphtrace)
#
# For every tests/data/lspci/NAME.txt:
#   lspci   what `lspci -D -vvv -F` and `lspci -D -n -vmm -F` print (IDs, bridge
#           buses, PCIe capability and type, DevCap2 TPHComp/ExtTPHComp, the TPH
#           capability lines, <chain looped>) equals tphtrace's JSON
#   truth   NAME.expect.json (what gen-dumps declared: ST table size, control
#           register, ST entries, NS mode, status of what could be read, Root Port,
#           requester type) equals tphtrace's JSON
#   sysfs   the same devices as a fake sysfs tree (--sysfs) give the same JSON
#           as the dump (topology from links vs. from bus numbers)
# plus: the corpus is what gen-dumps generates, text output stays < 100 columns,
# -d finds every device and rejects a missing one, garbage input exits 2 with
# FILE:LINE. Needs gcc, jq, lspci; no root, no network. Prints ok/not ok per
# check and "N passed, N failed, N skipped"; exits 1 on any failure, 77 (a
# skip) when a tool or the binary is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${TPHTRACE:-$root/.output/tphtrace}}
corpus=$root/tests/data/lspci
pass=0
fail=0

skip_all() { echo "# skip: $*"; echo "0 passed, 0 failed, 1 skipped"; exit 77; }
for tool in jq lspci "${CC:-gcc}"; do
	command -v "$tool" >/dev/null || skip_all "$tool not found (apt-get install -y jq pciutils gcc)"
done
[ -x "$bin" ] || skip_all "$bin not built (make)"
if ! "$bin" devices --help >/dev/null 2>&1; then
	echo "not ok - '$bin devices --help' fails: no devices command?"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }

# compare EXPECTED ACTUAL LABEL: both files hold "bdf<TAB>key<TAB>value" lines;
# one check per (bdf, key) in either file.
compare() {
	local line
	while IFS= read -r line; do
		case $line in
		ok*) ok "${line#ok }" ;;
		*) nok "${line#nok }" ;;
		esac
	done < <(awk -F'\t' -v label="$3" -v wname="$4" -v gname="$5" '
		FNR == NR { want[$1 "\t" $2] = $3; keys[$1 "\t" $2] = 1; next }
		{ got[$1 "\t" $2] = $3; keys[$1 "\t" $2] = 1 }
		END {
			for (k in keys) {
				split(k, p, "\t")
				w = (k in want) ? want[k] : "(nothing)"
				g = (k in got) ? got[k] : "(nothing)"
				if (w == g)
					printf "ok %s %s %s: %s\n", label, p[1], p[2], w
				else
					printf "nok %s %s %s: %s \"%s\", %s \"%s\"\n", label, p[1], p[2], wname, w, gname, g
			}
		}' "$1" "$2" | sort -k2)
}

# ---------------------------------------------------------------------------
# What lspci prints, as bdf<TAB>key<TAB>value
lspci_fields() { # FILE
	lspci -D -n -vmm -F "$1" 2>/dev/null | awk -F'\t' '
		function flush() {
			if (slot != "")
				printf "%s\tids\t%s:%s %s%s rev %s\n", slot, v, d, c, (pi == "" ? "00" : pi), r
			slot = v = d = c = pi = r = ""
		}
		$1 == "Slot:" { flush(); slot = $2 }
		$1 == "Class:" { c = $2 }
		$1 == "Vendor:" { v = $2 }
		$1 == "Device:" { d = $2 }
		$1 == "Rev:" { r = $2 }
		$1 == "ProgIf:" { pi = $2 }
		END { flush() }'
	lspci -D -vvv -F "$1" 2>/dev/null | awk '
		function out(k, val) { printf "%s\t%s\t%s\n", bdf, k, val }
		function flush() {
			if (bdf == "")
				return
			out("pcie", pcie)
			if (pcie != "unknown" && pcie != "absent") {
				if (!devcap2) comp = "no DevCap2"
				else if (comp == "" && (ptype == "Endpoint" || ptype == "Root Port")) comp = "blank"
				else if (comp == "") comp = "not printed"
				out("devcap2_tph", comp)
				out("tph", tph)
			}
			if (tph != "none") {
				out("tph_modes", "iv=" iv " ds=" ds " ext=" ext)
				out("st_location", loc)
			}
			if (stdloop != "") out("cap_loop", stdloop)
			if (extloop != "") out("ext_cap_loop", extloop)
			bdf = ""
		}
		/^[0-9a-f]+:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] / {
			flush()
			bdf = $1; pcie = "absent"; ptype = ""; comp = ""; devcap2 = 0; tph = "none"
			iv = ds = ext = 0; loc = "?"; stdloop = extloop = ""; incap = ""
			next
		}
		bdf == "" { next }
		/^\tBus: primary=/ {
			split($0, b, /[=,]/)
			out("buses", b[2] "/" b[4] "/" b[6])
		}
		/^\tCapabilities: <access denied>/ { pcie = "unknown"; next }
		/^\tCapabilities: \[[0-9a-f]+( v[0-9]+)?\] <chain looped>/ {
			off = $0; sub(/^[^[]*\[/, "", off); sub(/[] ].*/, "", off)
			if ($0 ~ /\[[0-9a-f]+ v[0-9]+\]/) extloop = off; else stdloop = off
			next
		}
		/^\tCapabilities: / {
			incap = ""
			off = $0; sub(/^[^[]*\[/, "", off); sub(/[] ].*/, "", off)
			if ($0 ~ /\] Express \(v[0-9]+\) /) {
				incap = "exp"
				ver = $0; sub(/.*Express \(v/, "", ver); sub(/\).*/, "", ver)
				ptype = $0; sub(/.*Express \(v[0-9]+\) /, "", ptype); sub(/, MSI.*/, "", ptype)
				sub(/ \(Slot[+-]\)$/, "", ptype)
				pcie = off "/v" ver "/" ptype
			} else if ($0 ~ /\] Transaction Processing Hints/) {
				incap = "tph"
				v = $0; sub(/.*\[[0-9a-f]+ v/, "", v); sub(/\].*/, "", v)
				tph = off "/v" v
			}
			next
		}
		incap == "exp" && /^\t\tDevCap2:/ { devcap2 = 1 }
		incap == "exp" && match($0, /TPHComp[+-] ExtTPHComp[+-]/) {
			comp = substr($0, RSTART, RLENGTH)
		}
		incap == "tph" && /Interrupt vector mode supported/ { iv = 1 }
		incap == "tph" && /Device specific mode supported/ { ds = 1 }
		incap == "tph" && /Extended requester support/ { ext = 1 }
		incap == "tph" && /No steering table available/ { loc = "none" }
		incap == "tph" && /Steering table in TPH capability structure/ { loc = "tph_cap" }
		incap == "tph" && /Steering table in MSI-X table/ { loc = "msix" }
		incap == "tph" && /Reserved steering table location/ { loc = "reserved" }
		END { flush() }'
}

# The same fields from tphtrace's JSON, following lspci's printing rules:
# TPHComp/ExtTPHComp only for PCIe v2+ Endpoints and Root Ports, nothing for
# the reserved 0b10; no TPH line when extended config space is not dumped.
JQ_DEFS='
def hex: if . == 0 then "0" else [recurse(if . >= 16 then (. / 16 | floor) else empty end) | . % 16]
	| reverse | map("0123456789abcdef"[.:(. + 1)]) | join("") end;
def hex2: hex | if length < 2 then "0" + . else . end;
def lname: {"endpoint": "Endpoint", "legacy_endpoint": "Legacy Endpoint", "root_port": "Root Port",
	"upstream_port": "Upstream Port", "downstream_port": "Downstream Port",
	"pcie_to_pci_bridge": "PCI-Express to PCI/PCI-X Bridge",
	"pci_to_pcie_bridge": "PCI/PCI-X to PCI-Express Bridge",
	"rciep": "Root Complex Integrated Endpoint",
	"rc_event_collector": "Root Complex Event Collector"}[.] // "Unknown";
def b: if . then 1 else 0 end;
'
tphtrace_lspci_fields() { # JSON
	jq -r "$JQ_DEFS"'
	.[] | .bdf as $bdf | [
		["ids", "\(.vendor_id):\(.device_id) \(.class) rev \(.revision | hex2)"],
		(.bridge // empty | ["buses", "\(.primary_bus | hex2)/\(.secondary_bus | hex2)/\(.subordinate_bus | hex2)"]),
		["pcie", (if .pcie_status == "present" then
			"\(.pcie.offset | hex)/v\(.pcie.version)/\(.pcie.port_type_name | lname)"
			else .pcie_status end)],
		(.pcie // empty |
			["devcap2_tph", (if .version < 2 then "no DevCap2"
			elif (.port_type_name == "endpoint" or .port_type_name == "root_port") then
				["TPHComp- ExtTPHComp-", "TPHComp+ ExtTPHComp-", "blank",
				 "TPHComp+ ExtTPHComp+"][.tph_completer]
			else "not printed" end)]),
		(select(.pcie_status == "present") |
			["tph", (if .tph then "\(.tph.offset | hex)/v\(.tph.version)" else "none" end)]),
		(.tph // empty |
			["tph_modes", "iv=\(.st_modes.iv | b) ds=\(.st_modes.ds | b) ext=\(.ext_requester | b)"],
			["st_location", .st_location_name]),
		(.cap_list // empty | select(.status == "loop") | ["cap_loop", (.offset | hex)]),
		(.ext_cap_list // empty | select(.status == "loop") | ["ext_cap_loop", (.offset | hex)])
	] | .[] | [$bdf] + . | @tsv' "$1"
}

# Ground truth: the same projection of NAME.expect.json and of tphtrace's JSON
TRUTH_PROJ='
def proj: .bdf as $bdf | [
	["ids", "\(.vendor_id):\(.device_id) \(.class)"],
	["header", "type \(.header_type) multifunction \(.multifunction)"],
	["config_bytes", "\(.config_bytes)"],
	["pcie_status", .pcie_status],
	["tph_status", .tph_status],
	(select(.pcie_status == "present") |
		["pcie", "type \(.port_type) v\(.pcie_version) completer \(.tph_completer)"]),
	(.tph // empty |
		["tph_cap", "@\(.offset) cap \(.cap) ns \(.st_modes.ns) iv \(.st_modes.iv) ds \(.st_modes.ds) ext \(.ext_requester)"],
		["st_table", "location \(.st_location) size \(.st_table_size)"],
		["tph_ctrl", "ctrl \(.ctrl) mode \(.st_mode_selected) enable \(.requester_enable) \(.requester_enable_name)"],
		["st_entries", (.st_entries | tostring)]),
	["root_port", "\(.root_port_status) \(.root_port // "-")"],
	["requester", (if .requester then "effective \(.requester.effective) capped \(.requester.capped)" else "none" end)]
] | .[] | [$bdf] + . | @tsv;
'
truth_fields() { # EXPECT_JSON
	jq -r "$TRUTH_PROJ"'.[] | proj' "$1"
}
tphtrace_truth_fields() { # JSON
	jq -r "$TRUTH_PROJ"'.[] | {bdf, vendor_id, device_id, class, config_bytes, header_type,
		multifunction, pcie_status, tph_status, port_type: .pcie.port_type,
		pcie_version: .pcie.version, tph_completer: .pcie.tph_completer, tph,
		root_port_status, root_port: .root_port.bdf,
		requester: (.requester // null | if . then {effective, capped} else null end)} | proj' "$1"
}

# What must not depend on the input kind (sysfs tree vs dump)
sysfs_fields() { # JSON
	jq -r '.[] | del(.source, .dump_line, .config_size, .unreadable) | [.bdf, "json", (tojson)] | @tsv' "$1"
}

# ---------------------------------------------------------------------------
# 1. The committed corpus is what the generator makes
if "${CC:-gcc}" -std=gnu11 -Wall -Wextra -Werror -O2 "$here/gen-dumps.c" -o "$tmp/gen-dumps" &&
	mkdir -p "$tmp/corpus" "$tmp/sysfs" && "$tmp/gen-dumps" "$tmp/corpus" "$tmp/sysfs"; then
	ok "gen-dumps builds and runs"
else
	nok "gen-dumps builds and runs"
fi
if diff -r "$tmp/corpus" "$corpus" >"$tmp/corpus.diff" 2>&1; then
	ok "tests/data/lspci is what gen-dumps generates"
else
	nok "tests/data/lspci differs from gen-dumps output (regenerate: gen-dumps tests/data/lspci)"
	head -n 20 "$tmp/corpus.diff" | sed 's/^/# /'
fi

# 2. Per dump: lspci, truth, sysfs, text, -d
dumps=0
for dump in "$corpus"/*.txt; do
	name=$(basename "$dump" .txt)
	dumps=$((dumps + 1))
	json=$tmp/$name.json
	# devices -j is one document (docs/json.md); its "devices" array is what is compared
	if "$bin" devices -j --config-dump "$dump" >"$json.doc" 2>"$tmp/$name.err" &&
	   jq -e '.command == "devices" and (.devices | type) == "array"' "$json.doc" >/dev/null &&
	   jq '.devices' "$json.doc" >"$json"; then
		ok "$name: devices -j exits 0 with the devices array"
	else
		nok "$name: devices -j failed: $(head -c 300 "$tmp/$name.err")"
		continue
	fi
	n_lspci=$(lspci -D -F "$dump" 2>/dev/null | wc -l)
	n_ours=$(jq length "$json")
	if [ "$n_lspci" -eq "$n_ours" ]; then ok "$name: $n_ours devices, as lspci lists"; else nok "$name: lspci lists $n_lspci devices, tphtrace $n_ours"; fi

	lspci_fields "$dump" | sort >"$tmp/$name.lspci"
	tphtrace_lspci_fields "$json" | sort >"$tmp/$name.ours"
	compare "$tmp/$name.lspci" "$tmp/$name.ours" "$name lspci" lspci tphtrace

	if [ -f "$corpus/$name.expect.json" ]; then
		truth_fields "$corpus/$name.expect.json" | sort >"$tmp/$name.truth"
		tphtrace_truth_fields "$json" | sort >"$tmp/$name.ours-truth"
		compare "$tmp/$name.truth" "$tmp/$name.ours-truth" "$name truth" declared tphtrace
	else
		nok "$name: no $name.expect.json"
	fi

	tree=$tmp/sysfs/$name/bus/pci/devices
	if "$bin" devices -j --sysfs "$tree" 2>"$tmp/$name.sysfs.err" | jq '.devices' >"$tmp/$name.sysfs.json" &&
	   [ -s "$tmp/$name.sysfs.json" ] && ! [ -s "$tmp/$name.sysfs.err" ]; then
		sysfs_fields "$json" | sort >"$tmp/$name.a"
		sysfs_fields "$tmp/$name.sysfs.json" | sort >"$tmp/$name.b"
		compare "$tmp/$name.a" "$tmp/$name.b" "$name sysfs-vs-dump" dump sysfs
	else
		nok "$name: devices --sysfs on the fake tree failed: $(head -c 300 "$tmp/$name.sysfs.err")"
	fi

	for opt in "" "-a"; do
		# shellcheck disable=SC2086
		if "$bin" devices $opt --config-dump "$dump" >"$tmp/$name.txt" 2>&1; then
			width=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/$name.txt")
			if [ "$width" -lt 100 ]; then ok "$name: text${opt:+ $opt} exits 0, widest line $width < 100"; else nok "$name: text${opt:+ $opt} has a $width-column line"; fi
		else
			nok "$name: text${opt:+ $opt} output failed"
		fi
	done

	missing=0
	for bdf in $(jq -r '.[].bdf' "$json"); do
		got=$("$bin" devices -j -d "$bdf" --config-dump "$dump" 2>/dev/null | jq -r '[.devices[].bdf] | join(",")')
		[ "$got" = "$bdf" ] || { missing=1; nok "$name: -d $bdf gives '$got'"; }
	done
	[ "$missing" -eq 1 ] || ok "$name: -d finds each of its $n_ours devices alone"
	out=$("$bin" devices -d 0000:ff:1f.7 --config-dump "$dump" 2>"$tmp/d.err"); rc=$?
	if [ "$rc" -eq 2 ] && [ -z "$out" ] && grep -q "no device 0000:ff:1f.7" "$tmp/d.err"; then
		ok "$name: -d of an absent device exits 2 with a message, no output"
	else
		nok "$name: -d of an absent device: rc $rc, stdout '${out:0:80}'"
	fi
done

# 3. Garbage in: exit 2, FILE:LINE: message, no crash
garbage() { # NAME WHERE CONTENT(printf format); WHERE: ":LINE:" or ":" (no line)
	local f=$tmp/garbage-$1.txt rc
	# shellcheck disable=SC2059
	printf "$3" >"$f"
	"$bin" devices --config-dump "$f" >"$tmp/g.out" 2>"$tmp/g.err"; rc=$?
	if [ "$rc" -eq 2 ] && [ ! -s "$tmp/g.out" ] && grep -q "^tphtrace devices: $f$2 " "$tmp/g.err"; then
		ok "garbage $1: exit 2, '$(head -n1 "$tmp/g.err" | sed "s|$tmp/||")'"
	else
		nok "garbage $1: rc $rc, stderr '$(head -c 200 "$tmp/g.err")'"
	fi
}
head -c 600 "$corpus/rp-ext.txt" >"$tmp/cut.txt"
garbage cut-mid-line ":$(($(wc -l <"$tmp/cut.txt") + 1)):" "$(cat "$tmp/cut.txt")"
garbage empty ":" ""
garbage prose ":1:" "This is not a dump\n"
garbage no-hex ":1:" "00:00.0 Host bridge: Intel\n\n"
garbage bad-byte ":2:" "00:00.0 Host bridge\n00: 86 80 zz 0d\n"
garbage out-of-sequence ":3:" "00:00.0 Host bridge\n00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00\n20: 00\n"
garbage duplicate ":7:" "$(sed -n 1,5p "$corpus/dump-64.txt")\n\n$(sed -n 1,5p "$corpus/dump-64.txt")\n"
garbage binary ":1:" "\x7fELF\x01\x00\x00\n"
garbage hex-first ":1:" "00: 86 80 57 0d\n"
out=$("$bin" devices --config-dump "$tmp/no-such-file.txt" 2>"$tmp/g.err"); rc=$?
if [ "$rc" -eq 2 ] && [ -z "$out" ] && grep -q "no-such-file.txt: cannot open: No such file" "$tmp/g.err"; then
	ok "missing dump file: exit 2, '$(sed "s|$tmp/||" "$tmp/g.err")'"
else
	nok "missing dump file: rc $rc, stderr '$(head -c 200 "$tmp/g.err")'"
fi

echo "$dumps dumps"
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
