# Sourced by run.sh and profile.sh: what both need to run the programs
# against the bedrock-lite emulator. Expects $out (the binaries) and $work (a
# scratch directory, removed by the caller).

# start_emulator: starts `$out/bedrock-lite emulate` on a free loopback port
# (its pid in $emulator_pid, for the caller's cleanup), and exports its demo
# keys, region and endpoint, and nothing else: no other credential source,
# profile or config file (an empty home). Sets $endpoint and $region.
start_emulator() {
    echo "== starting the emulator"
    "$out/bedrock-lite" --json emulate --port 0 >"$work/emulator.json" &
    emulator_pid=$!
    for _ in $(seq 100); do
        grep -q endpoint "$work/emulator.json" 2>/dev/null && break
        sleep 0.1
    done
    endpoint=$(emulator_field endpoint)
    region=$(emulator_field region)
    [ -n "$endpoint" ] || { echo "the emulator did not start"; exit 1; }
    echo "   $endpoint, region $region, its demo keys"

    unset AWS_SESSION_TOKEN AWS_BEARER_TOKEN_BEDROCK AWS_PROFILE AWS_DEFAULT_REGION \
        AWS_ENDPOINT_URL_BEDROCK AWS_ENDPOINT_URL_BEDROCK_RUNTIME BEDROCK_LITE_CONFIG XDG_CONFIG_HOME \
        AWS_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL
    AWS_ACCESS_KEY_ID=$(emulator_field accessKeyId)
    AWS_SECRET_ACCESS_KEY=$(emulator_field secretAccessKey)
    AWS_REGION=$region
    AWS_ENDPOINT_URL=$endpoint
    export HOME="$work/home" AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
    export AWS_EC2_METADATA_DISABLED=true
    mkdir -p "$HOME"
}

# emulator_field NAME: a string field of the emulator's JSON banner.
emulator_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$work/emulator.json"; }

# words N: a text of N words (the emulator answers one delta per word).
words() {
    awk -v n="$1" 'BEGIN {
        split("the quick brown fox jumps over the lazy dog while a streamed answer keeps arriving word by word", w, " ")
        for (i = 0; i < n; i++) printf "%s%s", (i ? " " : ""), w[i % 17 + 1]
    }'
}

# The model asked for (the emulator echoes any model that is not scripted).
MODEL=anthropic.claude-3-haiku-20240307-v1:0

# The two chat commands; the prompt comes on stdin or as one more argument.
lite_cli=("$out/bedrock-lite" chat -m "$MODEL")
sdk_cli=("$out/sdk-cli" "$MODEL")
