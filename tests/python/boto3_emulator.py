"""Calls every operation the bedrock-lite emulator serves with unmodified boto3.

Run by tests/emulator_boto3.rs with EMULATOR_ENDPOINT (the emulator's base URL),
and the demo credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (SigV4:
botocore sends a Bedrock API key, the bearer token, only over HTTPS, and the
emulator serves HTTP). Every check prints one line, `ok: ...` or `FAIL: ...`;
the script exits 1 if any check failed.
"""

import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["EMULATOR_ENDPOINT"]
REGION = "us-east-1"
CHAT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
PROFILE = "us.anthropic.claude-sonnet-4-6"
TEXT_MODEL = "amazon.nova-micro-v1:0"
EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
BLOCKED_MESSAGE = "Sorry, the model cannot answer this question."
CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 1},
    connect_timeout=5,
    read_timeout=30,
)

failures = []


def check(condition, what, detail=None):
    if condition:
        print(f"ok: {what}")
    else:
        failures.append(what)
        print(f"FAIL: {what}" + (f" (got {detail!r})" if detail is not None else ""))


def error_code(call):
    """The error code a call fails with, or None if it succeeds."""
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None


def client(service, **extra):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=ENDPOINT,
        config=CONFIG,
        **extra,
    )


def keys():
    return {
        "aws_access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
    }


runtime = client("bedrock-runtime", **keys())
control = client("bedrock", **keys())
user = lambda text: {"role": "user", "content": [{"text": text}]}


def converse():
    reply = runtime.converse(modelId=CHAT_MODEL, messages=[user("hello emulator")])
    text = reply["output"]["message"]["content"][0]["text"]
    check(text == "You said: hello emulator", "converse echoes the prompt", text)
    check(reply["stopReason"] == "end_turn", "converse stops at end_turn", reply["stopReason"])
    check(reply["usage"]["inputTokens"] == 2, "converse counts 2 input tokens", reply["usage"])
    return reply["usage"]["inputTokens"]


def converse_stream():
    reply = runtime.converse_stream(modelId=PROFILE, messages=[user("stream me")])
    kinds, text = [], ""
    for event in reply["stream"]:
        (kind, payload), = event.items()
        kinds.append(kind)
        if kind == "contentBlockDelta":
            text += payload["delta"]["text"]
    check(text == "You said: stream me", "converse_stream deltas join to the echo", text)
    check(kinds[0] == "messageStart" and "messageStop" in kinds and kinds[-1] == "metadata",
          "converse_stream runs messageStart .. messageStop, metadata", kinds)


def invoke_model():
    body = json.dumps({"inputText": "embed this", "dimensions": 256})
    reply = runtime.invoke_model(modelId=EMBEDDING_MODEL, body=body, contentType="application/json")
    vector = json.loads(reply["body"].read())["embedding"]
    check(len(vector) == 256, "invoke_model embeds in 256 dimensions", len(vector))
    body = json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi there"}],
    })
    reply = json.loads(runtime.invoke_model(modelId=CHAT_MODEL, body=body)["body"].read())
    check(reply["content"][0]["text"] == "You said: hi there",
          "invoke_model answers an Anthropic body in Anthropic's shape", reply)
    check(reply["usage"]["input_tokens"] == 2, "invoke_model counts 2 input tokens", reply["usage"])
    code = error_code(lambda: runtime.invoke_model(modelId=CHAT_MODEL, body=json.dumps({"prompt": "x"})))
    check(code == "ValidationException", "invoke_model refuses a body without messages", code)


def invoke_model_with_response_stream():
    body = json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "stream this please"}]}],
    })
    reply = runtime.invoke_model_with_response_stream(modelId=PROFILE, body=body)
    kinds, text = [], ""
    for event in reply["body"]:
        piece = json.loads(event["chunk"]["bytes"])
        kinds.append(piece["type"])
        if piece["type"] == "content_block_delta":
            text += piece["delta"]["text"]
    check(text == "You said: stream this please",
          "invoke_model_with_response_stream (anthropic) deltas join to the echo", text)
    check(kinds[0] == "message_start" and kinds[-1] == "message_stop",
          "invoke_model_with_response_stream (anthropic) runs message_start .. message_stop", kinds)
    reply = runtime.invoke_model_with_response_stream(
        modelId=TEXT_MODEL, body=json.dumps({"inputText": "titan style"}))
    pieces = [json.loads(event["chunk"]["bytes"]) for event in reply["body"]]
    text = "".join(piece["outputText"] for piece in pieces)
    check(text == "You said: titan style", "invoke_model_with_response_stream (outputText) joins", text)
    check(pieces[-1]["completionReason"] == "FINISH",
          "invoke_model_with_response_stream (outputText) ends with FINISH", pieces[-1])


def count_tokens(converse_tokens):
    reply = runtime.count_tokens(
        modelId=CHAT_MODEL, input={"converse": {"messages": [user("hello emulator")]}})
    check(reply["inputTokens"] == converse_tokens,
          "count_tokens (converse) matches converse's input tokens", reply["inputTokens"])
    body = json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "one two three"}],
    }).encode()
    reply = runtime.count_tokens(modelId=CHAT_MODEL, input={"invokeModel": {"body": body}})
    check(reply["inputTokens"] == 3, "count_tokens (invokeModel) counts 3", reply["inputTokens"])
    code = error_code(lambda: runtime.count_tokens(
        modelId=PROFILE, input={"converse": {"messages": [user("x")]}}))
    check(code == "ValidationException", "count_tokens refuses an inference profile", code)


def apply_guardrail():
    reply = runtime.apply_guardrail(
        guardrailIdentifier="emu1", guardrailVersion="1", source="INPUT",
        content=[{"text": {"text": "a harmless question"}}])
    check(reply["action"] == "NONE" and reply["outputs"] == [],
          "apply_guardrail lets harmless text pass", reply["action"])
    reply = runtime.apply_guardrail(
        guardrailIdentifier="emu1", guardrailVersion="DRAFT", source="OUTPUT",
        content=[{"text": {"text": "this has BLOCKED-WORD in it"}}])
    check(reply["action"] == "GUARDRAIL_INTERVENED", "apply_guardrail blocks the trigger word",
          reply["action"])
    check([o["text"] for o in reply["outputs"]] == [BLOCKED_MESSAGE],
          "apply_guardrail puts out the blocked message", reply["outputs"])
    words = reply["assessments"][0]["wordPolicy"]["customWords"]
    check(words[0]["match"] == "BLOCKED-WORD", "apply_guardrail names the word", words)
    code = error_code(lambda: runtime.apply_guardrail(
        guardrailIdentifier="emu1", guardrailVersion="v1", source="INPUT",
        content=[{"text": {"text": "x"}}]))
    check(code == "ValidationException", "apply_guardrail refuses a bad version", code)


def foundation_models():
    models = control.list_foundation_models()["modelSummaries"]
    ids = [m["modelId"] for m in models]
    check(CHAT_MODEL in ids and EMBEDDING_MODEL in ids,
          "list_foundation_models lists the catalogue", ids)
    meta = control.list_foundation_models(byProvider="meta")["modelSummaries"]
    check(meta and all(m["providerName"] == "Meta" for m in meta),
          "list_foundation_models filters by provider", meta)
    details = control.get_foundation_model(modelIdentifier=CHAT_MODEL)["modelDetails"]
    check(details["modelId"] == CHAT_MODEL and details["responseStreamingSupported"] is True,
          "get_foundation_model returns the model's details", details)
    code = error_code(lambda: control.get_foundation_model(modelIdentifier="acme.nothing-v1"))
    check(code == "ResourceNotFoundException", "get_foundation_model: unknown model is 404", code)


def inference_profiles():
    pages = control.get_paginator("list_inference_profiles").paginate()
    profiles = [p for page in pages for p in page["inferenceProfileSummaries"]]
    ids = [p["inferenceProfileId"] for p in profiles]
    check(PROFILE in ids and len(ids) == len(set(ids)) and len(ids) > 2,
          "list_inference_profiles pages through every system profile", ids)
    profile = control.get_inference_profile(inferenceProfileIdentifier=PROFILE)
    check(profile["inferenceProfileId"] == PROFILE and profile["models"],
          "get_inference_profile returns the profile", profile)
    apps = control.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"]
    check([p["inferenceProfileId"] for p in apps] == ["emuapp1"],
          "list_inference_profiles lists the application profile", apps)


def main():
    print(f"boto3 {boto3.__version__} against {ENDPOINT}")
    steps = [
        ("converse", lambda: count_tokens(converse())),
        ("converse_stream", converse_stream),
        ("invoke_model", invoke_model),
        ("invoke_model_with_response_stream", invoke_model_with_response_stream),
        ("apply_guardrail", apply_guardrail),
        ("foundation models", foundation_models),
        ("inference profiles", inference_profiles),
    ]
    for name, step in steps:
        try:
            step()
        except Exception as error:  # one broken operation must not hide the others
            failures.append(name)
            print(f"FAIL: {name} raised {type(error).__name__}: {error}")
    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
        sys.exit(1)
    print("every check passed")


if __name__ == "__main__":
    main()
