#!/usr/bin/env bash
# Where the bytes and the milliseconds go, for BENCHMARKS.md (issue 15):
# 1. `cargo bloat` (crates and functions) on the release CLI and on
#    `lite-chat` (glibc: the same build gives massif its symbols; the crates'
#    shares are those of the static musl builds, std aside);
# 2. `strace -c` and `strace -f -e trace=file,read` of a short chat, for
#    `bedrock-lite chat` and `sdk-cli`, with the files each opens;
# 3. a heap profile (valgrind's massif) of both CLIs on the 100,000-delta
#    stream (bedrock-lite's with symbols when the bloat build is there; the
#    SDK's stripped: its totals only).
#
# Usage: benches/sdk-compare/profile.sh, after run.sh (it runs the binaries
# run.sh left in benches/sdk-compare/out/). Knobs: BLOAT=0 skips the cargo
# bloat builds (unstripped release builds, in benches/sdk-compare/target/bloat);
# CLI_WORDS (99998) sizes the stream. Reports go to out/profile/.
set -euo pipefail

BLOAT=${BLOAT:-1}
CLI_WORDS=${CLI_WORDS:-99998}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/out"
reports="$out/profile"
work=$(mktemp -d)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
[ -x "$out/bedrock-lite" ] && [ -x "$out/sdk-cli" ] || { echo "run run.sh first: no binaries in $out"; exit 2; }
mkdir -p "$reports"
for tool in strace valgrind; do
    command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done

# ---------------------------------------------------------------- cargo bloat

if [ "$BLOAT" = 1 ]; then
    command -v cargo-bloat >/dev/null || nice -n 10 cargo install cargo-bloat --locked
    # The release profile, unstripped (bloat needs the symbols), in a target
    # dir of its own so that the stripped builds stay as they are.
    export CARGO_PROFILE_RELEASE_STRIP=false
    bloat_target="$here/target/bloat"
    # bloat NAME ARGS...: crates and functions of one build, into reports/bloat-NAME-*.txt.
    bloat() {
        local name=$1
        shift
        echo "== cargo bloat: $name"
        nice -n 10 cargo bloat --release --target-dir "$bloat_target" \
            --crates -n 25 "$@" >"$reports/bloat-$name-crates.txt" 2>"$reports/bloat-$name.log"
        nice -n 10 cargo bloat --release --target-dir "$bloat_target" \
            -n 40 "$@" >"$reports/bloat-$name-functions.txt" 2>>"$reports/bloat-$name.log"
        sed 's/^/   /' "$reports/bloat-$name-crates.txt"
    }
    (cd "$root" && bloat cli --bin bedrock-lite)
    (cd "$here" && bloat lite-chat --bin lite-chat --features lite)
    unset CARGO_PROFILE_RELEASE_STRIP
fi

# ---------------------------------------------------------------- strace

# shellcheck source=common.sh
source "$here/common.sh"
start_emulator

for side in lite sdk; do
    declare -n command="${side}_cli"
    echo "== strace -c -f: a short chat, $side"
    strace -c -f -o "$reports/strace-c-$side.txt" "${command[@]}" hi >/dev/null
    head -25 "$reports/strace-c-$side.txt" | sed 's/^/   /'
    echo "== strace -f -e trace=file,read: a short chat, $side"
    strace -f -e trace=file,read -o "$reports/strace-file-$side.txt" "${command[@]}" hi >/dev/null
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[a-z0-9_]+\(/) { sub(/\(.*/, "", $i); n[$i]++; break } }
         END { for (c in n) printf "   %-12s %d\n", c, n[c] }' "$reports/strace-file-$side.txt" | sort -k2 -n -r
    echo "   files opened (openat, not failed):"
    grep -o 'openat([^"]*"[^"]*"' "$reports/strace-file-$side.txt" | sed 's/.*"\(.*\)"/\1/' |
        sed 's|/[^/]*$|/…|' | sort | uniq -c | sort -n -r | head -15 | sed 's/^/     /'
    echo "== strace -f -r: where the wall time of a short chat goes, $side"
    strace -f -tt -e trace=execve,connect,sendto,write,recvfrom,read,exit_group \
        -o "$reports/strace-timeline-$side.txt" "${command[@]}" hi >/dev/null
    awk 'function ms(t,  p) { split(t, p, ":"); return (p[1] * 3600 + p[2] * 60 + p[3]) * 1000 }
         { t = ms($2) } NR == 1 { t0 = t }
         /execve\(/ && !exec { exec = 1; printf "   %7.2f ms execve\n", t - t0 }
         /connect\(/ && !conn { conn = 1; printf "   %7.2f ms first connect\n", t - t0 }
         /write\(1,/ && !out { out = 1; printf "   %7.2f ms first write to stdout\n", t - t0 }
         /exit_group/ { printf "   %7.2f ms exit_group\n", t - t0 }' "$reports/strace-timeline-$side.txt"
done
unset -n command

# ---------------------------------------------------------------- heap

words "$CLI_WORDS" >"$work/long-prompt"
unstripped="$here/target/bloat/release/bedrock-lite"
if [ -x "$unstripped" ]; then lite_cli[0]=$unstripped; fi
for side in lite sdk; do
    declare -n command="${side}_cli"
    echo "== massif: the $((CLI_WORDS + 2))-delta stream, $side (${command[0]})"
    valgrind --tool=massif --massif-out-file="$reports/massif-$side.out" \
        "${command[@]}" <"$work/long-prompt" >/dev/null 2>"$reports/massif-$side.log"
    ms_print "$reports/massif-$side.out" >"$reports/massif-$side.txt"
    # The peak snapshot's row, then its allocation sites down to 1 %.
    awk '/Detailed snapshots:/ { match($0, /[0-9]+ \(peak\)/); peak = substr($0, RSTART, RLENGTH - 7) }
         peak != "" && $1 == peak && $2 ~ /^[0-9,]+$/ { printf "   peak: snapshot %s, heap %s B (useful %s B)\n", $1, $3, $4; on = 1; next }
         on && /^ *[0-9]+ +[0-9,]+ +[0-9,]+/ { exit }
         on && /^->|^\| ->/ { sub(/ \(in \/[^)]*\)$/, ""); print "   " substr($0, 1, 150) }' "$reports/massif-$side.txt"
done
echo "== reports in $reports"
