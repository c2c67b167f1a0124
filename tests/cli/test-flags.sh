#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The flag convention (tphtrace(8), COMMON OPTIONS): every command run with
# every common flag. The table in docs/tphtrace.8 is the expectation: a cell
# "-" means the command must refuse the flag with "does not apply" (exit 2),
# any other cell that it must take it (no usage error). Also: usage lines
# and errors name "tphtrace CMD" (after an abbreviation too), "tphtrace help
# CMD" is CMD's --help, and the bash completion offers exactly the options
# each command's parser documents.
set -u
cd "$(dirname "$0")/../.."
T=${TPHTRACE:-.output/tphtrace}
TRACE=tests/data/traces/sim-ok_8bit.jsonl
DUMP=tests/data/lspci/domains.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

# the table: "FLAG|trace|probe|...", between .TS and .TE
table=$(awk '/^\.TS/{t=1; next} /^\.TE/{t=0; f=0} t && /^FLAG\|/{f=1} f && /\|/' docs/tphtrace.8 |
	sed 's/\\-/-/g')
cmds=$(echo "$table" | head -1 | cut -d'|' -f2- | tr '|' ' ')
[ "$cmds" = "trace probe list top check devices exporter version" ] && ok "the table has a column per command" ||
	nok "the table has a column per command" "got: $cmds"
listed=$($T --help | awk '/^Commands:/{f=1;next} f&&/^  [a-z]/{print $1}' | tr '\n' ' ')
[ "$listed" = "$cmds " ] && ok "the table's commands are 'tphtrace --help''s" ||
	nok "the table's commands are 'tphtrace --help''s" "help lists: $listed"

# base arguments that let CMD run at once without tracing this host
base() { # CMD FLAG
	case $2 in -h|-r) return ;; esac
	case $1 in
	devices) echo "--config-dump $DUMP" ;;
	probe|version) ;;
	*) [ "$2" = -D ] && return
	   [ "$1" = exporter ] && echo "--replay $TRACE --check" || echo "--replay $TRACE" ;;
	esac
}
# the flag with a value that fits CMD
arg() { # CMD FLAG
	case $2 in
	-D) [ "$1" = exporter ] && echo "-D 1 --web.listen-address=127.0.0.1:0" || echo "-D 1" ;;
	-d) [ "$1" = devices ] && echo "-d 0001:02:00.0" || echo "-d 0000:3b:00.0" ;;
	-p) echo "-p 1" ;;
	-i) echo "-i 11" ;;
	-r) [ "$1" = exporter ] && echo "--replay $TRACE --check" || echo "--replay $TRACE" ;;
	--at) echo "--at +0.5" ;;
	--hooks) echo "--hooks all=kprobe" ;;
	--max-\*) echo "--max-mrs 8" ;;
	--poll) echo "--poll 0.5" ;;
	*) echo "$2" ;;
	esac
}

echo "$table" | tail -n +2 | while IFS='|' read -r flags cells; do
	flag=${flags%%,*}
	flag=${flag%% *}
	i=1
	for c in $cmds; do
		cell=$(echo "$cells" | cut -d'|' -f$i)
		i=$((i + 1))
		b=$(base "$c" "$flag")
		a=$(arg "$c" "$flag")
		if [ "$flag" = -D ] && [ "$cell" != - ] && [ "$(id -u)" -ne 0 ]; then
			echo "skip $c $flag: live tracing needs root"
			continue
		fi
		# shellcheck disable=SC2086
		timeout 60 $T $c $b $a </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
		if [ "$cell" = - ]; then
			if [ $rc -eq 2 ] && grep -q -- "does not apply to '$c'" "$tmp/err"; then
				echo "ok $c $flag refused"
			else
				echo "FAIL $c $a: rc=$rc, expected 'does not apply': $(head -c 200 "$tmp/err")"
			fi
		elif grep -qE "unrecognized option|does not apply|invalid option|Try .tphtrace" "$tmp/err"; then
			echo "FAIL $c $a: usage error: $(head -c 200 "$tmp/err")"
		elif [ "$flag" = -h ] && ! { [ $rc -eq 0 ] && grep -q "^Usage: tphtrace $c " "$tmp/out"; }; then
			echo "FAIL $c -h: rc=$rc"
		elif [ $rc -gt 2 ] && [ $rc -ne 124 ]; then
			echo "FAIL $c $a: exit $rc"
		else
			echo "ok $c $flag taken (exit $rc)"
		fi
	done
done >"$tmp/matrix"
runs=$(grep -c "" "$tmp/matrix")
bad=$(grep -c '^FAIL' "$tmp/matrix")
if [ "$bad" -eq 0 ] && [ "$runs" -eq 96 ]; then
	ok "every command with every common flag: $runs runs as the table says"
else
	nok "every command with every common flag ($runs runs)" "$(grep '^FAIL' "$tmp/matrix" | head -5 | tr '\n' ';')"
fi
nroot=$(grep -c '^skip' "$tmp/matrix")
[ "$nroot" -eq 0 ] || skip "live -D runs" "$nroot need root"

# usage lines and errors name "tphtrace CMD", after an abbreviation too
for c in $cmds; do
	$T "$c" --usage >"$tmp/u" 2>&1
	grep -q "^Usage: tphtrace $c " "$tmp/u" && ok "$c --usage names 'tphtrace $c'" ||
		nok "$c --usage names 'tphtrace $c'" "$(head -1 "$tmp/u")"
	$T help "$c" >"$tmp/h1" 2>&1
	$T "$c" --help >"$tmp/h2" 2>&1
	cmp -s "$tmp/h1" "$tmp/h2" && ok "tphtrace help $c is '$c --help'" || nok "tphtrace help $c is '$c --help'"
done
$T tr --bogus >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^tphtrace trace: unrecognized option '--bogus'" "$tmp/err" &&
	grep -q "Try \`tphtrace trace --help'" "$tmp/err" && ok "an abbreviated command's errors name it in full" ||
	nok "an abbreviated command's errors name it in full" "$(cat "$tmp/err")"
$T check -d 30 --replay "$TRACE" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "-d is --device: '30' is not a device (for a duration: -D 30)" "$tmp/err" &&
	ok "check -d SECONDS (the old duration) is refused with a hint" ||
	nok "check -d SECONDS (the old duration) is refused with a hint" "$(cat "$tmp/err")"

# bash completion: the options of every command are its parser's
# shellcheck disable=SC1091
. contrib/bash-completion/tphtrace
complete_words() { # WORDS...: COMPREPLY for the last word
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_tphtrace
	[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' '
}
for c in $cmds; do
	want=$($T "$c" --help | awk '/^ +-/ { for (i = 1; i <= NF; i++) {
		w = $i; sub(/,$/, "", w); if (w !~ /^--?[[:alnum:]]/) break
		sub(/=.*/, "=", w); print w } }' | sort -u | tr '\n' ' ')
	got=$(complete_words "$T" "$c" -)
	[ "$got" = "$want" ] && ok "completion of '$c -' is its --help's options" ||
		nok "completion of '$c -' is its --help's options" "got [$got] want [$want]"
done
got=$(complete_words "$T" help "")
[ "$got" = "check devices exporter list probe top trace version " ] &&
	ok "completion after 'help' is the commands" || nok "completion after 'help' is the commands" "$got"
got=$(complete_words "$T" check -D "")
[ -z "$got" ] && ok "completion offers nothing after -D (seconds)" || nok "completion offers nothing after -D" "$got"
got=$(complete_words "$T" top -s "")
[ "$got" = "exporter inode mrs no-tph size " ] && ok "completion of top -s: the sort keys" ||
	nok "completion of top -s: the sort keys" "$got"

# LICENSE: every SPDX identifier of the tree has its text in LICENSES/
ids=$(git ls-files 2>/dev/null | xargs grep -ho 'SPDX-License-Identifier: [A-Za-z0-9.() -]*' 2>/dev/null |
	sed 's/SPDX-License-Identifier: //' | tr -d '()' | tr ' ' '\n' |
	grep -E '^[A-Za-z][A-Za-z0-9.-]*$' | grep -vxE 'OR|AND|WITH' | sort -u)
missing=""
# GPL-2.0-only is SPDX's current name of GPL-2.0: one text
for id in $ids; do [ -f "LICENSES/${id%-only}" ] || missing="$missing $id"; done
[ -n "$ids" ] && [ -z "$missing" ] && [ -f LICENSE ] &&
	ok "LICENSE: every SPDX identifier of the tree has its text in LICENSES/ ($(echo $ids))" ||
	nok "LICENSE: every SPDX identifier of the tree has its text in LICENSES/" "missing:$missing"

# README: the layout names every top-level directory and every source file
layout=$(awk '/^## Layout/{f=1} f' README.md)
missing=""
for d in $(git ls-files 2>/dev/null | awk -F/ 'NF > 1 && $1 !~ /^\./ {print $1}' | sort -u); do
	grep -q "^$d/" <<<"$layout" || missing="$missing $d/"
done
for f in src/*.c; do
	b=$(basename "$f" .c)
	p=${b%%_*}
	grep -qE "(^|[ ,(])($b\.c|${p}_\*\.c|$p\*\.c)" <<<"$layout" || missing="$missing $f"
done
[ -z "$missing" ] && ok "README layout names every directory and source file" ||
	nok "README layout names every directory and source file" "missing:$missing"

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
