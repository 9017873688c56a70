#!/usr/bin/env bash
# The whole-SDK comparison: builds `lite-chat` (bedrock-lite) and `sdk-chat`
# (aws-sdk-bedrockruntime) from clean, reports their build times and stripped
# sizes, then runs both against the bedrock-lite emulator on loopback, in
# alternating rounds, and reports wall time and CPU per stream and peak RSS.
#
# Usage: benches/sdk-compare/run.sh   (from anywhere)
# Knobs (environment): STREAMS per run (200), ROUNDS of lite+sdk (9), WORDS in
# the prompt (998: the emulator echoes "You said: <prompt>", one
# contentBlockDelta per word, so 1,000 text deltas per stream).
# Every cargo build runs under `nice -n 10` (a shared machine).
set -euo pipefail

STREAMS=${STREAMS:-200}
ROUNDS=${ROUNDS:-9}
WORDS=${WORDS:-998}
MODEL=anthropic.claude-3-haiku-20240307-v1:0

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
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

echo "== building the emulator (bedrock-lite CLI, release) in $root"
(cd "$root" && nice -n 10 cargo build --release)

cd "$here"
nice -n 10 cargo fetch --quiet # downloads stay out of the build times
declare -A feature=([lite-chat]=lite [sdk-chat]=sdk)
declare -A build size
for bin in lite-chat sdk-chat; do
    echo "== clean release build of $bin (log: $work/build-$bin.log)"
    nice -n 10 cargo clean --quiet
    TIMEFORMAT='%R %U %S'
    { time nice -n 10 cargo build --release --bin "$bin" --features "${feature[$bin]}" \
        >"$work/build-$bin.log" 2>&1; } 2>"$work/time-$bin" || {
        tail -30 "$work/build-$bin.log"
        exit 1
    }
    read -r real user sys <"$work/time-$bin"
    build[$bin]=$real
    cp "target/release/$bin" "$work/$bin" # the next `cargo clean` removes it
    size[$bin]=$(stat -c %s "$work/$bin")
    echo "   $bin: ${real}s wall (${user}s user, ${sys}s sys); $(grep -c Compiling "$work/build-$bin.log") crates compiled"
    awk -v b="${size[$bin]}" -v n="$bin" 'BEGIN { printf "   %s: %d bytes stripped (%.2f MiB)\n", n, b, b / 1048576 }'
done

echo "== starting the emulator"
"$root/target/release/bedrock-lite" --json emulate --port 0 >"$work/emulator.json" &
emulator_pid=$!
for _ in $(seq 100); do
    grep -q endpoint "$work/emulator.json" 2>/dev/null && break
    sleep 0.1
done
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/emulator.json"; }
endpoint=$(field endpoint)
region=$(field region)
[ -n "$endpoint" ] || { echo "the emulator did not start"; exit 1; }
echo "   $endpoint, region $region, its demo keys"

# Only the emulator's demo keys, and no other credential source or profile.
unset AWS_SESSION_TOKEN AWS_BEARER_TOKEN_BEDROCK AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION \
    AWS_ENDPOINT_URL AWS_ENDPOINT_URL_BEDROCK AWS_ENDPOINT_URL_BEDROCK_RUNTIME
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
AWS_ACCESS_KEY_ID=$(field accessKeyId)
AWS_SECRET_ACCESS_KEY=$(field secretAccessKey)
export AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
export AWS_EC2_METADATA_DISABLED=true

# A prompt of WORDS words, echoed back as a long answer.
sentence=(the quick brown fox jumps over the lazy dog while a streamed answer keeps arriving word by word)
prompt=""
for ((i = 0; i < WORDS; i++)); do prompt+="${sentence[i % ${#sentence[@]}]} "; done
prompt=${prompt% }

# One run: STREAMS streams on one client, under GNU time.
# Appends "bin events text_bytes elapsed wall user sys maxrss_kib" to results.
run() {
    local bin=$1 out
    out=$(/usr/bin/time -f "%e %U %S %M" -o "$work/rusage" \
        "$work/$bin" "$region" "$endpoint" "$MODEL" "$prompt" "$STREAMS")
    local events text elapsed
    events=$(sed -n 's/.*events=\([0-9]*\).*/\1/p' <<<"$out")
    text=$(sed -n 's/.*text_bytes=\([0-9]*\).*/\1/p' <<<"$out")
    elapsed=$(sed -n 's/.*elapsed_s=\([0-9.]*\).*/\1/p' <<<"$out")
    echo "$bin $events $text $elapsed $(cat "$work/rusage")" >>"$work/results"
    awk -v n="$STREAMS" -v b="$bin" -v e="$events" -v t="$text" -v el="$elapsed" \
        '{ printf "   %-9s %d events, %d text bytes: %.3f ms wall/stream, %.3f ms CPU/stream (user %.2fs sys %.2fs), peak RSS %d KiB\n",
           b, e, t, el * 1000 / n, ($2 + $3) * 1000 / n, $2, $3, $4 }' "$work/rusage"
}

echo "== warm-up (one stream each, not counted)"
for bin in lite-chat sdk-chat; do
    "$work/$bin" "$region" "$endpoint" "$MODEL" "$prompt" 1
done

echo "== $ROUNDS rounds of $STREAMS streams per client, alternating"
: >"$work/results"
for ((r = 1; r <= ROUNDS; r++)); do
    echo " round $r"
    if ((r % 2)); then order="lite-chat sdk-chat"; else order="sdk-chat lite-chat"; fi
    for bin in $order; do run "$bin"; done
done

# Both clients must have read the same stream.
if [ "$(awk '{ print $2, $3 }' "$work/results" | sort -u | wc -l)" -ne 1 ]; then
    echo "the clients disagree on what they read:"
    cat "$work/results"
    exit 1
fi
read -r _ events text _ <"$work/results"
echo "== each stream: $((events / STREAMS)) events ($(((events / STREAMS) - 4)) contentBlockDelta), $((text / STREAMS)) text bytes"

# Medians over the rounds: wall ms/stream, CPU ms/stream, peak RSS KiB.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A wall cpu rss
for bin in lite-chat sdk-chat; do
    wall[$bin]=$(awk -v b="$bin" -v n="$STREAMS" '$1 == b { print $4 * 1000 / n }' "$work/results" | median)
    cpu[$bin]=$(awk -v b="$bin" -v n="$STREAMS" '$1 == b { print ($6 + $7) * 1000 / n }' "$work/results" | median)
    rss[$bin]=$(awk -v b="$bin" '$1 == b { print $8 }' "$work/results" | median)
done

# The two runs of a round are neighbours in time: their ratio is the steadiest figure.
echo "== SDK / lite within each round (wall, CPU):"
awk '$1 == "lite-chat" { lw[++l] = $4; lc[l] = $6 + $7 } $1 == "sdk-chat" { sw[++s] = $4; sc[s] = $6 + $7 }
     END { for (i = 1; i <= l; i++) printf "   round %d: %.2fx, %.2fx\n", i, sw[i] / lw[i], sc[i] / lc[i] }' "$work/results"

echo "== summary (medians of $ROUNDS rounds; $(nproc) cores, shared machine)"
awk -v ls="${size[lite-chat]}" -v ss="${size[sdk-chat]}" \
    -v lb="${build[lite-chat]}" -v sb="${build[sdk-chat]}" \
    -v lw="${wall[lite-chat]}" -v sw="${wall[sdk-chat]}" \
    -v lc="${cpu[lite-chat]}" -v sc="${cpu[sdk-chat]}" \
    -v lr="${rss[lite-chat]}" -v sr="${rss[sdk-chat]}" 'BEGIN {
    print "| | bedrock-lite | aws-sdk-bedrockruntime | SDK / lite |"
    print "| --- | ---: | ---: | ---: |"
    printf "| binary size, stripped | %.2f MiB (%d B) | %.2f MiB (%d B) | %.1fx |\n", ls / 1048576, ls, ss / 1048576, ss, ss / ls
    printf "| clean release build | %.0f s | %.0f s | %.1fx |\n", lb, sb, sb / lb
    printf "| wall time per stream | %.3f ms | %.3f ms | %.2fx |\n", lw, sw, sw / lw
    printf "| CPU time per stream (user+sys) | %.3f ms | %.3f ms | %.2fx |\n", lc, sc, sc / lc
    printf "| peak RSS | %d KiB | %d KiB | %.1fx |\n", lr, sr, sr / lr
}'
