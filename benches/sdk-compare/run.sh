#!/usr/bin/env bash
# The whole-SDK comparison (issue 15), in one command: bedrock-lite against
# aws-sdk-bedrockruntime, as a library and as a chat CLI, against the
# bedrock-lite emulator on loopback.
#
# 1. Builds: the main crate's release CLI (glibc; it is also the emulator) and
#    its static musl CLI (`--features bundled-roots`); here, from clean and
#    timed, `lite-chat` and `sdk-chat` (the library-only ConverseStream
#    programs), then `sdk-cli` (a chat CLI on the SDK as users write it), and
#    the three for static musl (sdk-cli at opt-level 3 as users build it, the
#    two library programs at "z" as a size-conscious user would); and the two
#    library programs once more from clean, timed, with cargo's default
#    release profile (no LTO, 16 codegen units).
# 2. The library loop: `lite-chat` / `sdk-chat`, STREAMS streams of 1,000 text
#    deltas per process on a current-thread runtime, ROUNDS alternating rounds.
# 3. The CLI: `bedrock-lite chat` / `sdk-cli` on one stream of 100,000 text
#    deltas (CLI_ROUNDS alternating runs: wall, CPU, peak RSS), and a short chat,
#    process start to exit (START_ROUNDS alternating batches of START_BATCH
#    runs: wall and CPU per run).
# 4. The table of issue 15, with its targets.
#
# Usage: benches/sdk-compare/run.sh   (from anywhere)
# Knobs (environment):
#   BUILD=clean (default) builds as above; BUILD=reuse takes the binaries and
#     build figures of the last clean run from benches/sdk-compare/out/.
#   MUSL=1 (default) builds the static musl binaries; MUSL=0 skips them.
#   ROUNDS (9), STREAMS (200), WORDS (998): the library loop.
#   CLI_ROUNDS (7), CLI_WORDS (99998: the emulator echoes "You said: <prompt>",
#     one delta per word, so 100,000 deltas): the CLI stream.
#   START_ROUNDS (15), START_BATCH (20): the short chat.
# Every cargo build runs under `nice -n 10` (a shared machine). Every build goes
# to a target dir of this crate's own, whatever $CARGO_TARGET_DIR says (in a
# shared one, another build may replace target/release/bedrock-lite before it
# is copied): target/main for the main crate, target/compare for this one
# (which the clean builds wipe).
set -euo pipefail

BUILD=${BUILD:-clean}
MUSL=${MUSL:-1}
ROUNDS=${ROUNDS:-9}
STREAMS=${STREAMS:-200}
WORDS=${WORDS:-998}
CLI_ROUNDS=${CLI_ROUNDS:-7}
CLI_WORDS=${CLI_WORDS:-99998}
START_ROUNDS=${START_ROUNDS:-15}
START_BATCH=${START_BATCH:-20}
MUSL_TARGET=x86_64-unknown-linux-musl

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/out" # binaries and build figures, kept for BUILD=reuse
work=$(mktemp -d)
emulator_pid=
cleanup() {
    if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time)"
    apt-get install -y time >/dev/null
fi

# ---------------------------------------------------------------- builds

# build NAME LOG CARGO_ARGS...: a release build in the current directory under
# nice, its log in LOG; on failure, the log's tail and a non-zero status.
build() {
    local name=$1 log=$2
    shift 2
    if nice -n 10 cargo build --release "$@" >"$log" 2>&1; then return 0; fi
    echo "   $name: the build failed; the end of $log:"
    tail -15 "$log" | sed 's/^/     /'
    return 1
}

# musl_ready: the musl target and musl-gcc, installed when missing.
musl_ready() {
    rustup target list --installed | grep -qx "$MUSL_TARGET" || rustup target add "$MUSL_TARGET"
    command -v musl-gcc >/dev/null || apt-get install -y musl-tools >/dev/null
}

if [ "$BUILD" = clean ]; then
    rm -rf "$out"
    mkdir -p "$out"
    main_target="$here/target/main"
    echo "== the main crate's release CLI (glibc; also the emulator), in $main_target"
    (cd "$root" && build bedrock-lite "$out/build-bedrock-lite.log" --target-dir "$main_target")
    cp "$main_target/release/bedrock-lite" "$out/bedrock-lite"
    if [ "$MUSL" = 1 ]; then
        musl_ready
        echo "== the main crate's static musl CLI (--features bundled-roots)"
        if (cd "$root" && build bedrock-lite-musl "$out/build-bedrock-lite-musl.log" \
            --target-dir "$main_target" --target "$MUSL_TARGET" --features bundled-roots); then
            cp "$main_target/$MUSL_TARGET/release/bedrock-lite" "$out/bedrock-lite-musl"
        fi
    fi

    cd "$here"
    compare_target="$here/target/compare"
    nice -n 10 cargo fetch --quiet # downloads stay out of the build times
    declare -A feature=([lite-chat]=lite [sdk-chat]=sdk [sdk-cli]=sdk)
    : >"$out/builds"
    for bin in lite-chat sdk-chat; do
        echo "== clean release build of $bin (log: $out/build-$bin.log)"
        nice -n 10 cargo clean --quiet --target-dir "$compare_target"
        TIMEFORMAT='%R %U %S'
        { time build "$bin" "$out/build-$bin.log" --target-dir "$compare_target" \
            --bin "$bin" --features "${feature[$bin]}"; } 2>"$work/time-$bin"
        read -r real user sys <"$work/time-$bin"
        crates=$(grep -c Compiling "$out/build-$bin.log")
        echo "$bin $real $crates $user $sys" >>"$out/builds"
        cp "$compare_target/release/$bin" "$out/$bin"
        echo "   $bin: ${real}s wall (${user}s user, ${sys}s sys); $crates crates compiled"
    done
    echo "== release build of sdk-cli (on sdk-chat's build of the SDK)"
    build sdk-cli "$out/build-sdk-cli.log" --target-dir "$compare_target" --bin sdk-cli --features sdk
    cp "$compare_target/release/sdk-cli" "$out/sdk-cli"
    # The same two builds again with cargo's default release profile (no LTO,
    # 16 codegen units, unwinding): what `cargo build --release` does for a
    # program that sets no profile. Timed only; the binaries are not kept.
    for bin in lite-chat sdk-chat; do
        echo "== clean release build of $bin, cargo's default release profile"
        nice -n 10 cargo clean --quiet --target-dir "$compare_target"
        TIMEFORMAT='%R %U %S'
        { time CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
            CARGO_PROFILE_RELEASE_PANIC=unwind build "$bin-default" "$out/build-$bin-default.log" \
            --target-dir "$compare_target" --bin "$bin" --features "${feature[$bin]}"; } 2>"$work/time-$bin"
        read -r real user sys <"$work/time-$bin"
        crates=$(grep -c Compiling "$out/build-$bin-default.log")
        echo "$bin-default $real $crates $user $sys" >>"$out/builds"
        echo "   $bin: ${real}s wall (${user}s user, ${sys}s sys); $crates crates compiled"
    done
    if [ "$MUSL" = 1 ]; then
        # sdk-cli as users build it (opt-level 3); the two library programs as a
        # size-conscious user builds them, both at opt-level "z" (as
        # bedrock-lite's own release profile is), in a target dir of their own.
        declare -A opt_level=([sdk-cli]=3 [lite-chat]=z [sdk-chat]=z)
        for bin in sdk-cli lite-chat sdk-chat; do
            echo "== static musl build of $bin (opt-level ${opt_level[$bin]})"
            musl_target="$compare_target-opt-${opt_level[$bin]}"
            if CARGO_PROFILE_RELEASE_OPT_LEVEL=${opt_level[$bin]} build "$bin-musl" "$out/build-$bin-musl.log" \
                --target-dir "$musl_target" --target "$MUSL_TARGET" --bin "$bin" --features "${feature[$bin]}"; then
                cp "$musl_target/$MUSL_TARGET/release/$bin" "$out/$bin-musl"
            fi
        done
    fi
elif [ "$BUILD" = reuse ]; then
    [ -s "$out/builds" ] || { echo "BUILD=reuse: no earlier build in $out"; exit 2; }
    echo "== reusing the binaries and build figures in $out (built $(date -r "$out/builds"))"
else
    echo "BUILD must be clean or reuse, not $BUILD"
    exit 2
fi

# size FILE: its size in bytes, or nothing when it was not built.
size() { if [ -f "$1" ]; then stat -c %s "$1"; fi; }
echo "== stripped sizes (bytes)"
for file in bedrock-lite bedrock-lite-musl lite-chat sdk-chat sdk-cli lite-chat-musl sdk-chat-musl sdk-cli-musl; do
    printf '   %-18s %s\n' "$file" "$(size "$out/$file")"
    [ -f "$out/$file" ] || echo "   ($file was not built: see $out/build-$file.log)"
done

# ---------------------------------------------------------------- the emulator

# shellcheck source=common.sh
source "$here/common.sh"
start_emulator

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)

# ---------------------------------------------------------------- the library loop

prompt=$(words "$WORDS")

# One run: STREAMS streams on one client, under GNU time.
# Appends "bin events text_bytes elapsed wall user sys maxrss_kib" to lib-results.
run_lib() {
    local bin=$1 report
    report=$(/usr/bin/time -f "%e %U %S %M" -o "$work/rusage" \
        "$out/$bin" "$region" "$endpoint" "$MODEL" "$prompt" "$STREAMS")
    local events text elapsed
    events=$(sed -n 's/.*events=\([0-9]*\).*/\1/p' <<<"$report")
    text=$(sed -n 's/.*text_bytes=\([0-9]*\).*/\1/p' <<<"$report")
    elapsed=$(sed -n 's/.*elapsed_s=\([0-9.]*\).*/\1/p' <<<"$report")
    echo "$bin $events $text $elapsed $(cat "$work/rusage")" >>"$work/lib-results"
    awk -v n="$STREAMS" -v b="$bin" -v e="$events" -v t="$text" -v el="$elapsed" \
        '{ printf "   %-9s %d events, %d text bytes: %.3f ms wall/stream, %.3f ms CPU/stream (user %.2fs sys %.2fs), peak RSS %d KiB\n",
           b, e, t, el * 1000 / n, ($2 + $3) * 1000 / n, $2, $3, $4 }' "$work/rusage"
}

echo "== library loop: warm-up (one stream each, not counted)"
for bin in lite-chat sdk-chat; do
    "$out/$bin" "$region" "$endpoint" "$MODEL" "$prompt" 1
done

echo "== library loop: $ROUNDS rounds of $STREAMS streams per program, alternating"
: >"$work/lib-results"
for ((r = 1; r <= ROUNDS; r++)); do
    echo " round $r"
    if ((r % 2)); then order="lite-chat sdk-chat"; else order="sdk-chat lite-chat"; fi
    for bin in $order; do run_lib "$bin"; done
done

# Both programs must have read the same stream.
if [ "$(awk '{ print $2, $3 }' "$work/lib-results" | sort -u | wc -l)" -ne 1 ]; then
    echo "the programs disagree on what they read:"
    cat "$work/lib-results"
    exit 1
fi
read -r _ events text _ <"$work/lib-results"
echo "== each stream: $((events / STREAMS)) events ($(((events / STREAMS) - 4)) contentBlockDelta), $((text / STREAMS)) text bytes"

# Medians over the rounds: wall ms/stream, CPU ms/stream, peak RSS KiB.
declare -A lib_wall lib_cpu lib_rss
for bin in lite-chat sdk-chat; do
    lib_wall[$bin]=$(awk -v b="$bin" -v n="$STREAMS" '$1 == b { print $4 * 1000 / n }' "$work/lib-results" | median)
    lib_cpu[$bin]=$(awk -v b="$bin" -v n="$STREAMS" '$1 == b { print ($6 + $7) * 1000 / n }' "$work/lib-results" | median)
    lib_rss[$bin]=$(awk -v b="$bin" '$1 == b { print $8 }' "$work/lib-results" | median)
done

# The two runs of a round are neighbours in time: their ratio is the steadiest figure.
echo "== library loop: SDK / lite within each round (wall, CPU):"
awk '$1 == "lite-chat" { lw[++l] = $4; lc[l] = $6 + $7 } $1 == "sdk-chat" { sw[++s] = $4; sc[s] = $6 + $7 }
     END { for (i = 1; i <= l; i++) printf "   round %d: %.2fx, %.2fx\n", i, sw[i] / lw[i], sc[i] / lc[i] }' "$work/lib-results"

# ---------------------------------------------------------------- the CLI

words "$CLI_WORDS" >"$work/long-prompt"
echo "== CLI stream: warm-up, and both print the same $((CLI_WORDS + 2)) words"
"${lite_cli[@]}" <"$work/long-prompt" >"$out/answer-lite"
"${sdk_cli[@]}" <"$work/long-prompt" >"$out/answer-sdk"
if ! cmp -s "$out/answer-lite" "$out/answer-sdk"; then
    echo "the two CLIs printed different answers: $out/answer-lite, $out/answer-sdk"
    exit 1
fi
printed=$(wc -w <"$out/answer-lite")
[ "$printed" -eq $((CLI_WORDS + 2)) ] || { echo "expected $((CLI_WORDS + 2)) words, got $printed"; exit 1; }

# One run of the long stream under GNU time; appends "side wall user sys maxrss_kib".
run_stream() {
    local side=$1 round=$2
    local -n command="${side}_cli"
    /usr/bin/time -f "%e %U %S %M" -o "$work/rusage" \
        "${command[@]}" <"$work/long-prompt" >/dev/null
    echo "$side $(cat "$work/rusage")" >>"$work/cli-results"
    awk -v r="$round" -v s="$side" '{ printf "   round %d %-4s %.2f s wall, %.2f s CPU (user %.2f sys %.2f), peak RSS %d KiB\n",
        r, s, $1, $2 + $3, $2, $3, $4 }' "$work/rusage"
}
echo "== CLI stream: $CLI_ROUNDS rounds of one $((CLI_WORDS + 2))-delta stream per CLI, alternating"
: >"$work/cli-results"
for ((r = 1; r <= CLI_ROUNDS; r++)); do
    if ((r % 2)); then order="lite sdk"; else order="sdk lite"; fi
    for side in $order; do run_stream "$side" "$r"; done
done
# Peak RSS counts the program's own code, mapped from the page cache: the same
# stream once more with both CLIs static (musl), where no shared library adds to it.
lite_musl_cli=("$out/bedrock-lite-musl" chat -m "$MODEL")
sdk_musl_cli=("$out/sdk-cli-musl" "$MODEL")
if [ -x "$out/bedrock-lite-musl" ] && [ -x "$out/sdk-cli-musl" ]; then
    echo "== CLI stream, both static musl: $CLI_ROUNDS rounds, alternating"
    for ((r = 1; r <= CLI_ROUNDS; r++)); do
        if ((r % 2)); then order="lite_musl sdk_musl"; else order="sdk_musl lite_musl"; fi
        for side in $order; do run_stream "$side" "$r"; done
    done
fi
declare -A stream_wall stream_cpu stream_rss
for side in lite sdk lite_musl sdk_musl; do
    stream_wall[$side]=$(awk -v s="$side" '$1 == s { print $2 }' "$work/cli-results" | median)
    stream_cpu[$side]=$(awk -v s="$side" '$1 == s { print $3 + $4 }' "$work/cli-results" | median)
    stream_rss[$side]=$(awk -v s="$side" '$1 == s { print $5 }' "$work/cli-results" | median)
done

# A batch: START_BATCH short chats in a row, timed by bash (children's CPU to
# the millisecond, unlike GNU time's 10 ms). Appends "side wall_ms cpu_ms" per run.
start_batch() {
    local side=$1 i
    local -n command="${side}_cli"
    TIMEFORMAT='%3R %3U %3S'
    {
        time for ((i = 0; i < START_BATCH; i++)); do
            "${command[@]}" hi >/dev/null 2>"$work/stderr" || {
                cat "$work/stderr"
                exit 1
            }
        done
    } 2>"$work/batch"
    awk -v s="$side" -v n="$START_BATCH" '{ printf "%s %.3f %.3f\n", s, $1 * 1000 / n, ($2 + $3) * 1000 / n }' \
        "$work/batch" >>"$work/start-results"
}
echo "== short chat (the prompt \"hi\", answered \"You said: hi\" in 3 deltas): $START_ROUNDS rounds of $START_BATCH runs per CLI, alternating"
"${lite_cli[@]}" hi >/dev/null # warm-up
"${sdk_cli[@]}" hi >/dev/null
: >"$work/start-results"
for ((r = 1; r <= START_ROUNDS; r++)); do
    if ((r % 2)); then order="lite sdk"; else order="sdk lite"; fi
    for side in $order; do start_batch "$side"; done
    tail -2 "$work/start-results" | awk -v r="$r" '{ printf "   round %d %-4s %.2f ms wall, %.2f ms CPU per run\n", r, $1, $2, $3 }'
done
declare -A start_wall start_cpu
for side in lite sdk; do
    start_wall[$side]=$(awk -v s="$side" '$1 == s { print $2 }' "$work/start-results" | median)
    start_cpu[$side]=$(awk -v s="$side" '$1 == s { print $3 }' "$work/start-results" | median)
done
load_after=$(load)

# ---------------------------------------------------------------- the tables

declare -A build_s build_crates build_cpu
while read -r bin seconds crates user sys; do
    build_s[$bin]=$seconds
    build_crates[$bin]=$crates
    build_cpu[$bin]=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
done <"$out/builds"

echo
echo "== the library loop (current-thread runtime; medians of $ROUNDS rounds of $STREAMS streams of 1,000 deltas)"
awk -v lw="${lib_wall[lite-chat]}" -v sw="${lib_wall[sdk-chat]}" \
    -v lc="${lib_cpu[lite-chat]}" -v sc="${lib_cpu[sdk-chat]}" \
    -v lr="${lib_rss[lite-chat]}" -v sr="${lib_rss[sdk-chat]}" 'BEGIN {
    print "| | lite-chat | sdk-chat | SDK / lite |"
    print "| --- | ---: | ---: | ---: |"
    printf "| wall time per stream | %.3f ms | %.3f ms | %.2fx |\n", lw, sw, sw / lw
    printf "| CPU time per stream (user+sys) | %.3f ms | %.3f ms | %.2fx |\n", lc, sc, sc / lc
    printf "| peak RSS | %d KiB | %d KiB | %.1fx |\n", lr, sr, sr / lr
}'

echo
echo "== issue 15's table ($(nproc) cores, shared; load average $load_before before the runs, $load_after after)"
mib() { if [ -n "$1" ]; then awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; else echo "not built"; fi; }
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; else echo "-"; fi; }
# verdict OK: "met" or "missed".
verdict() { if [ "$1" = 1 ]; then echo met; else echo missed; fi; }
under() { if [ -n "$1" ]; then awk -v v="$1" -v max="$2" 'BEGIN { print (v <= max) }'; else echo 0; fi; }
over() { awk -v v="$1" -v min="$2" 'BEGIN { print (v >= min) }'; }
lite_musl=$(size "$out/bedrock-lite-musl")
sdk_musl=$(size "$out/sdk-cli-musl")
lite_lib=$(size "$out/lite-chat")
sdk_lib=$(size "$out/sdk-chat")
lite_lib_musl=$(size "$out/lite-chat-musl")
sdk_lib_musl=$(size "$out/sdk-chat-musl")
s_cpu_ratio=$(awk -v a="${stream_cpu[sdk]}" -v b="${stream_cpu[lite]}" 'BEGIN { print a / b }')
s_rss_ratio=$(awk -v a="${stream_rss[sdk]}" -v b="${stream_rss[lite]}" 'BEGIN { print a / b }')
st_cpu_ratio=$(awk -v a="${start_cpu[sdk]}" -v b="${start_cpu[lite]}" 'BEGIN { print a / b }')
b_ratio=$(awk -v a="${build_s[sdk-chat]}" -v b="${build_s[lite-chat]}" 'BEGIN { print a / b }')
c_ratio=$(awk -v a="${build_crates[sdk-chat]}" -v b="${build_crates[lite-chat]}" 'BEGIN { print a / b }')
echo "| | bedrock-lite \`chat\` | the SDK, as users write it | SDK / ours | target | |"
echo "| --- | ---: | ---: | ---: | --- | --- |"
awk -v l="${stream_cpu[lite]}" -v s="${stream_cpu[sdk]}" -v ok="$(verdict "$(over "$s_cpu_ratio" 5)")" \
    'BEGIN { printf "| 100,000-delta stream, CPU (user+sys) | %.2f s | %.2f s | %.1fx | SDK / ours >= 5x | %s |\n", l, s, s / l, ok }'
awk -v l="${stream_wall[lite]}" -v s="${stream_wall[sdk]}" \
    'BEGIN { printf "| same, wall | %.2f s | %.2f s | %.1fx | | |\n", l, s, s / l }'
awk -v l="${stream_rss[lite]}" -v s="${stream_rss[sdk]}" -v ok="$(verdict "$(over "$s_rss_ratio" 3)")" \
    'BEGIN { printf "| same, peak RSS | %.1f MiB (%d KiB) | %.1f MiB (%d KiB) | %.1fx | ours <= 1/3 | %s |\n", l / 1024, l, s / 1024, s, s / l, ok }'
if grep -q "^lite_musl " "$work/cli-results"; then
    awk -v l="${stream_rss[lite_musl]}" -v s="${stream_rss[sdk_musl]}" -v lc="${stream_cpu[lite_musl]}" -v sc="${stream_cpu[sdk_musl]}" \
        'BEGIN { printf "| same, both static musl: peak RSS / CPU | %.1f MiB / %.2f s | %.1f MiB / %.2f s | %.1fx / %.1fx | | |\n", l / 1024, lc, s / 1024, sc, s / l, sc / lc }'
fi
awk -v lw="${start_wall[lite]}" -v sw="${start_wall[sdk]}" -v lc="${start_cpu[lite]}" -v sc="${start_cpu[sdk]}" \
    -v ok="$(verdict "$(over "$st_cpu_ratio" 3)")" \
    'BEGIN { printf "| short chat, process start to exit, wall / CPU | %.1f ms / %.1f ms | %.1f ms / %.1f ms | %.2fx / %.2fx | CPU: ours <= 1/3 | %s |\n", lw, lc, sw, sc, sw / lw, sc / lc, ok }'
echo "| static musl CLI, stripped | $(mib "$lite_musl") | $(mib "$sdk_musl") | $(ratio "$sdk_musl" "$lite_musl") | ours <= 4.0 MiB | $(verdict "$(under "$lite_musl" 4194304)") |"
echo "| library-only ConverseStream program, stripped (glibc) | $(mib "$lite_lib") | $(mib "$sdk_lib") | $(ratio "$sdk_lib" "$lite_lib") | | |"
echo "| same, static musl | $(mib "$lite_lib_musl") | $(mib "$sdk_lib_musl") | $(ratio "$sdk_lib_musl" "$lite_lib_musl") | ours <= 2.5 MiB | $(verdict "$(under "$lite_lib_musl" 2621440)") |"
awk -v lb="${build_s[lite-chat]}" -v sb="${build_s[sdk-chat]}" -v lc="${build_crates[lite-chat]}" -v sc="${build_crates[sdk-chat]}" \
    -v ok="time $(verdict "$(over "$b_ratio" 3)"), crates $(verdict "$(over "$c_ratio" 2)")" \
    'BEGIN { printf "| its clean release build (glibc), wall | %.0f s, %d crates | %.0f s, %d crates | %.1fx, %.1fx | ours <= 1/3, crates <= 1/2 | %s |\n", lb, lc, sb, sc, sb / lb, sc / lc, ok }'
awk -v l="${build_cpu[lite-chat]}" -v s="${build_cpu[sdk-chat]}" \
    'BEGIN { printf "| same, CPU (user+sys) | %.0f s | %.0f s | %.1fx | | |\n", l, s, s / l }'
if [ -n "${build_s[lite-chat-default]:-}" ]; then
    awk -v lb="${build_s[lite-chat-default]}" -v sb="${build_s[sdk-chat-default]}" \
        -v lc="${build_cpu[lite-chat-default]}" -v sc="${build_cpu[sdk-chat-default]}" \
        'BEGIN { printf "| same, with cargo'"'"'s default release profile: wall / CPU | %.0f s / %.0f s | %.0f s / %.0f s | %.1fx / %.1fx | | |\n", lb, lc, sb, sc, sb / lb, sc / lc }'
fi
