"""The official `openai` client against `bedrock-lite serve` in front of the emulator.

Run by tests/gateway_openai.rs as `gateway_openai.py PHASE`, one phase at a
time: `main` needs nothing from the emulator but its default answers; the
other phases follow replies the Rust test queued on the emulator just before.

Environment: GATEWAY_URL (the gateway under test, `http://127.0.0.1:PORT`),
KEY_FULL, KEY_OTHER (two keys without limits), KEY_LIMITED (may use
LIMITED_MODEL only), KEY_RPM (2 requests per minute), KEY_TPM and KEY_TPM_EMBED (3 tokens per
minute each), NO_AWS_URL (a gateway with no AWS credentials), BUSY_URL (a
gateway with maxConcurrent 1), AUTO_URL (a gateway with promptCaching "auto"),
IDLE_URL (a gateway whose Bedrock idle timeout is 1 s).
Raw HTTP (to see headers, SSE comments and what the client hides) goes
through the standard library only.

Every check prints one line, `ok: ...` or `FAIL: ...`; the script exits 1 if
any check failed, and prints `every check passed` otherwise.
"""

import asyncio
import base64
import http.client
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

import openai
from openai import AsyncOpenAI, OpenAI

URL = os.environ["GATEWAY_URL"]
KEY_FULL = os.environ["KEY_FULL"]
KEY_OTHER = os.environ["KEY_OTHER"]
KEY_LIMITED = os.environ["KEY_LIMITED"]
KEY_RPM = os.environ["KEY_RPM"]
KEY_TPM = os.environ["KEY_TPM"]
KEY_TPM_EMBED = os.environ["KEY_TPM_EMBED"]
AUTO_URL = os.environ["AUTO_URL"]
# A model without prompt caching in the rule table.
NO_CACHE_MODEL = "meta.llama3-3-70b-instruct-v1:0"
CHAT_MODEL = "us.anthropic.claude-sonnet-4-6"
LIMITED_MODEL = "us.amazon.nova-micro-v1:0"
EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0"
# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "The time in a zone",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
    },
}
WEATHER_PROMPT = 'What is the weather in Paris? {"city": "Paris"}'

failures = []


def check(condition, what, detail=None):
    if condition:
        print(f"ok: {what}")
    else:
        failures.append(what)
        print(f"FAIL: {what}" + (f" (got {detail!r})" if detail is not None else ""))


def client(key=KEY_FULL, url=URL):
    """The official client, with its own retries off (the tests count requests)."""
    return OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=60)


def status_error(call):
    """The APIStatusError a call fails with, or None if it succeeds."""
    try:
        call()
    except openai.APIStatusError as error:
        return error
    return None


def raw(method, path, body=None, headers=None, url=URL):
    """(status, headers, body) of one plain HTTP request."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def raw_sse(body, key=KEY_FULL, url=URL):
    """(status, [event texts]) of a streamed chat completion read as it comes:
    each `data: ...` and each `: comment`, in order."""
    status, _, data = raw(
        "POST",
        "/v1/chat/completions",
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        url=url,
    )
    events = [event for event in data.decode().split("\n\n") if event]
    return status, events


def chunk_json(events):
    """The JSON of the `data:` events that are not `[DONE]`."""
    return [
        json.loads(event[len("data: "):])
        for event in events
        if event.startswith("data: ") and event != "data: [DONE]"
    ]


def as_dict(model):
    """An SDK object as a dict, extra (non-OpenAI) fields included."""
    return model.to_dict()


def chat(key=KEY_FULL, **params):
    params.setdefault("model", CHAT_MODEL)
    return client(key).chat.completions.create(**params)


def stream_chunks(key=KEY_FULL, **params):
    params.setdefault("model", CHAT_MODEL)
    return [as_dict(chunk) for chunk in client(key).chat.completions.create(stream=True, **params)]


def streamed_text(chunks, field="content"):
    return "".join(
        choice["delta"].get(field) or "" for chunk in chunks for choice in chunk["choices"]
    )


def user(text):
    return {"role": "user", "content": text}


# ---------------------------------------------------------------- main phase


def health_and_models():
    status, _, body = raw("GET", "/health")
    check(status == 200 and json.loads(body) == {"status": "ok"}, "GET /health needs no key", body)

    models = client().models.list()
    ids = [model.id for model in models.data]
    check(CHAT_MODEL in ids and LIMITED_MODEL in ids, "the model list has discovered models", ids)
    check(
        all(model.object == "model" and model.owned_by and isinstance(model.created, int) for model in models.data),
        "every model entry has object, created and owned_by",
    )
    claude = [model for model in models.data if model.id == CHAT_MODEL]
    check(claude and claude[0].owned_by == "anthropic", "owned_by is the provider", claude)
    limited = [model.id for model in client(KEY_LIMITED).models.list().data]
    check(limited == [LIMITED_MODEL], "a key with a model list sees only its models", limited)

    check(client().models.retrieve(CHAT_MODEL).id == CHAT_MODEL, "GET /v1/models/{id}")
    check(
        client().models.retrieve("amazon-bedrock/" + CHAT_MODEL).id == CHAT_MODEL,
        "GET /v1/models/amazon-bedrock/{id}",
    )
    error = status_error(lambda: client().models.retrieve("no.such-model-v1:0"))
    check(
        isinstance(error, openai.NotFoundError) and error.code == "model_not_found",
        "an unknown model is a 404 in OpenAI's shape",
        error,
    )
    error = status_error(lambda: client(KEY_LIMITED).models.retrieve(CHAT_MODEL))
    check(isinstance(error, openai.PermissionDeniedError), "a model outside the key's list is a 403 there too", error)


def plain_chat():
    completion = chat(
        messages=[{"role": "system", "content": "Be brief."}, user("Hello gateway")],
        max_tokens=100,
        temperature=0.5,
        stop=["END"],
    )
    check(completion.id.startswith("chatcmpl-"), "the completion id is chatcmpl-...", completion.id)
    check(completion.object == "chat.completion", "object is chat.completion")
    check(completion.model == CHAT_MODEL, "model is the one asked for", completion.model)
    choice = completion.choices[0]
    check(choice.index == 0 and choice.message.role == "assistant", "one assistant choice")
    check(choice.message.content == "You said: Hello gateway", "non-streaming text", choice.message.content)
    check(choice.finish_reason == "stop", "finish_reason stop", choice.finish_reason)
    usage = completion.usage
    check(
        usage.prompt_tokens > 0
        and usage.completion_tokens > 0
        and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens,
        "usage adds up",
        usage,
    )
    check(usage.prompt_tokens_details.cached_tokens == 0, "no cache read without cache points", usage)

    chunks = stream_chunks(messages=[user("Hello stream")], stream_options={"include_usage": True})
    with_choices = [chunk for chunk in chunks if chunk["choices"]]
    check(with_choices[0]["choices"][0]["delta"].get("role") == "assistant", "the first chunk carries the role")
    check(streamed_text(chunks) == "You said: Hello stream", "streamed text", streamed_text(chunks))
    finishes = [c["choices"][0].get("finish_reason") for c in with_choices]
    check(finishes[-1] == "stop" and all(f is None for f in finishes[:-1]), "only the last chunk finishes", finishes)
    check(
        all(c["choices"][0]["index"] == 0 for c in with_choices),
        "every chunk's choice has index 0",
    )
    check(len({c["id"] for c in chunks}) == 1, "every chunk has the same id")
    check(
        all(c["object"] == "chat.completion.chunk" for c in chunks),
        "every chunk is a chat.completion.chunk",
    )
    last = chunks[-1]
    check(
        last["choices"] == [] and last["usage"]["total_tokens"] > 0,
        "include_usage adds a usage chunk with empty choices",
        last,
    )

    status, events = raw_sse({"model": CHAT_MODEL, "stream": True, "messages": [user("raw")]})
    check(status == 200 and events[-1] == "data: [DONE]", "the stream ends with data: [DONE]", events[-1:])
    check(all(event.startswith("data: ") for event in events), "every event is a data: line")


def tools():
    completion = chat(messages=[user(WEATHER_PROMPT)], tools=[WEATHER_TOOL, TIME_TOOL])
    message = completion.choices[0].message
    calls = message.tool_calls or []
    check(completion.choices[0].finish_reason == "tool_calls", "finish_reason tool_calls")
    check(len(calls) == 1 and calls[0].type == "function", "one function call", calls)
    call = calls[0]
    check(call.function.name == "get_weather", "the tool the prompt names is called", call.function.name)
    check(json.loads(call.function.arguments) == {"city": "Paris"}, "arguments are JSON text", call.function.arguments)
    check(call.id.startswith("tooluse_"), "the call id is Bedrock's toolUseId", call.id)
    check(message.content == "I will call `get_weather`.", "text before the call", message.content)

    chunks = stream_chunks(messages=[user(WEATHER_PROMPT)], tools=[WEATHER_TOOL, TIME_TOOL])
    pieces = [
        piece
        for chunk in chunks
        for choice in chunk["choices"]
        for piece in choice["delta"].get("tool_calls") or []
    ]
    check(pieces and {piece["index"] for piece in pieces} == {0}, "streamed call index 0", pieces)
    first = pieces[0] if pieces else {}
    check(
        first.get("id") == call.id and first.get("function", {}).get("name") == "get_weather",
        "the first piece has the id and the name",
        first,
    )
    check(all("id" not in piece for piece in pieces[1:]), "later pieces carry arguments only")
    arguments = "".join(piece.get("function", {}).get("arguments", "") for piece in pieces)
    check(json.loads(arguments) == {"city": "Paris"}, "streamed arguments join to the JSON", arguments)
    finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    check(finish == ["tool_calls"], "streamed finish_reason tool_calls", finish)

    completion = chat(
        messages=[
            user(WEATHER_PROMPT),
            {"role": "assistant", "content": message.content, "tool_calls": [call.to_dict()]},
            {"role": "tool", "tool_call_id": call.id, "content": '{"temp": 21}'},
        ],
        tools=[WEATHER_TOOL, TIME_TOOL],
    )
    text = completion.choices[0].message.content
    check(text == 'The tool `get_weather` returned: {"temp": 21}.', "a tool round trip", text)

    forced = chat(
        messages=[user("What time is it?")],
        tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    ).choices[0].message
    check(
        forced.content is None and forced.tool_calls[0].function.name == "get_time",
        "tool_choice names the tool (content null when only tools are called)",
        forced,
    )
    required = chat(messages=[user("Anything")], tools=[WEATHER_TOOL], tool_choice="required")
    check(required.choices[0].finish_reason == "tool_calls", "tool_choice required")
    none = chat(messages=[user("No tools")], tools=[WEATHER_TOOL], tool_choice="none")
    check(none.choices[0].message.content == "You said: No tools", "tool_choice none leaves the tools out")


def images():
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    completion = chat(
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe this image"},
                    {"type": "image_url", "image_url": {"url": url}},
                ],
            }
        ]
    )
    check(completion.choices[0].message.content == "You said: Describe this image", "a data: image URL")
    error = status_error(
        lambda: chat(
            messages=[
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}],
                }
            ]
        )
    )
    check(
        isinstance(error, openai.BadRequestError) and "image_url" in (error.param or ""),
        "another image URL is a 400 naming the field",
        error,
    )


def embeddings():
    inputs = ["alpha", "beta gamma"]
    floats = client().embeddings.create(
        model=EMBEDDING_MODEL, input=inputs, dimensions=256, encoding_format="float"
    )
    check(floats.object == "list" and floats.model == EMBEDDING_MODEL, "an embeddings list")
    check([item.index for item in floats.data] == [0, 1], "one entry per input, in order")
    check(all(len(item.embedding) == 256 for item in floats.data), "dimensions is honoured")
    check(all(item.object == "embedding" for item in floats.data), "entries are embeddings")
    packed = [struct.pack(f"<{len(item.embedding)}f", *item.embedding) for item in floats.data]

    encoded = client().embeddings.create(model=EMBEDDING_MODEL, input=inputs, dimensions=256, encoding_format="base64")
    raw_vectors = [base64.b64decode(item.embedding) for item in encoded.data]
    check(raw_vectors == packed, "base64 is the same vectors as little-endian float32")

    default = client().embeddings.create(model=EMBEDDING_MODEL, input=inputs, dimensions=256)
    decoded = [struct.pack(f"<{len(item.embedding)}f", *item.embedding) for item in default.data]
    check(decoded == packed, "the client's default encoding decodes to the same vectors")

    single = client().embeddings.create(model=EMBEDDING_MODEL, input="alpha", dimensions=256, encoding_format="float")
    check(
        len(single.data) == 1 and struct.pack("<256f", *single.data[0].embedding) == packed[0],
        "a single string input",
    )
    check(
        floats.usage.prompt_tokens == 3 and floats.usage.total_tokens == 3,
        "usage is the input tokens Bedrock counted (Titan: one per word here)",
        floats.usage,
    )
    other_families()

    error = status_error(lambda: client(KEY_LIMITED).embeddings.create(model=EMBEDDING_MODEL, input="x"))
    check(isinstance(error, openai.PermissionDeniedError), "embeddings: a model outside the key's list is a 403")
    error = status_error(lambda: client().embeddings.create(model="amazon.nova-micro-v1:0", input="x"))
    check(isinstance(error, openai.BadRequestError), "embeddings: a chat model is a 400", error)


def same_vectors(model, inputs, what, **params):
    """Float and base64 answers to the same request, compared; returns the float answer."""
    floats = client().embeddings.create(model=model, input=inputs, encoding_format="float", **params)
    encoded = client().embeddings.create(model=model, input=inputs, encoding_format="base64", **params)
    packed = [struct.pack(f"<{len(item.embedding)}f", *item.embedding) for item in floats.data]
    check(
        [base64.b64decode(item.embedding) for item in encoded.data] == packed,
        f"{what}: base64 is the float vectors as little-endian float32",
    )
    check([item.index for item in floats.data] == list(range(len(inputs))), f"{what}: one entry per input, in order")
    words = sum(len(text.split()) for text in inputs)
    check(floats.usage.prompt_tokens == words == encoded.usage.total_tokens, f"{what}: usage counts every call", floats.usage)
    return floats


def other_families():
    inputs = ["red apple", "green pear tree", "blue"]
    v3 = same_vectors("cohere.embed-english-v3", inputs, "Cohere v3", extra_body={"input_type": "search_query"})
    check(all(len(item.embedding) == 1024 for item in v3.data), "Cohere v3 vectors", len(v3.data[0].embedding))
    v4 = same_vectors("cohere.embed-v4:0", inputs, "Cohere v4", dimensions=256, extra_body={"input_type": "classification"})
    check(all(len(item.embedding) == 256 for item in v4.data), "Cohere v4: dimensions is output_dimension")
    nova = same_vectors("amazon.nova-2-multimodal-embeddings-v1:0", inputs, "Nova", dimensions=384)
    check(all(len(item.embedding) == 384 for item in nova.data), "Nova: dimensions is its embeddingDimension")
    error = status_error(
        lambda: client().embeddings.create(model="cohere.embed-english-v3", input="x", extra_body={"input_type": "nonsense"})
    )
    check(isinstance(error, openai.BadRequestError) and "input_type" in error.message, "a wrong input_type is a 400", error)


def errors():
    error = status_error(lambda: client().chat.completions.create(model=CHAT_MODEL, messages=[]))
    check(
        isinstance(error, openai.BadRequestError)
        and error.type == "invalid_request_error"
        and error.param == "messages",
        "400 invalid_request_error naming the field",
        error and error.body,
    )
    status, _, body = raw(
        "POST", "/v1/chat/completions", body=b"{not json", headers={"Authorization": f"Bearer {KEY_FULL}"}
    )
    check(status == 400 and json.loads(body)["error"]["code"] == "invalid_json", "bad JSON is a 400", body)

    status, _, body = raw("POST", "/v1/chat/completions", body=b"{}")
    error_body = json.loads(body)["error"]
    check(
        status == 401 and error_body["code"] == "missing_api_key" and error_body["type"] == "authentication_error",
        "no Authorization header is a 401",
        body,
    )
    error = status_error(lambda: client("blk-not-a-key-of-this-gateway").models.list())
    check(
        isinstance(error, openai.AuthenticationError) and error.code == "invalid_api_key",
        "a wrong key is a 401",
        error,
    )
    check("blk-not-a-key" not in str(error and error.body), "the wrong key is not repeated")

    error = status_error(lambda: chat(KEY_LIMITED, messages=[user("hi")]))
    check(
        isinstance(error, openai.PermissionDeniedError) and error.code == "model_not_allowed",
        "a model outside the key's list is a 403",
        error,
    )
    allowed = chat(KEY_LIMITED, model=LIMITED_MODEL, messages=[user("hi")])
    check(allowed.choices[0].message.content == "You said: hi", "the key's own model is served")

    status, _, body = raw("GET", "/v1/nothing-here", headers={"Authorization": f"Bearer {KEY_FULL}"})
    check(status == 404 and "error" in json.loads(body), "an unknown route is a 404 in OpenAI's shape", body)
    status, headers, body = raw("GET", "/v1/chat/completions")
    check(
        status == 405 and headers.get("allow") == "POST" and "error" in json.loads(body),
        "a wrong method is a 405 with Allow",
        (status, headers),
    )
    too_large()


def too_large():
    """413: a declared length over 32 MiB, then a chunked body that grows past it."""
    parts = urllib.parse.urlsplit(URL)
    head = (
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\n{length}\r\n"
    )
    declared = head.format(key=KEY_FULL, length=f"Content-Length: {33 * 1024 * 1024}\r\n")
    chunked = head.format(key=KEY_FULL, length="Transfer-Encoding: chunked\r\n")
    for what, request, body in [("declared", declared, False), ("chunked", chunked, True)]:
        sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
        sock.sendall(request.encode())

        def send_body():
            piece = b"x" * (1024 * 1024)
            frame = b"%x\r\n" % len(piece) + piece + b"\r\n"
            try:
                for _ in range(40):
                    sock.sendall(frame)
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the gateway stopped reading: expected

        writer = threading.Thread(target=send_body) if body else None
        if writer:
            writer.start()
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except OSError:
            pass
        sock.close()
        if writer:
            writer.join()
        status_line = answer.split(b"\r\n", 1)[0]
        check(status_line.startswith(b"HTTP/1.1 413"), f"a body over 32 MiB is a 413 ({what})", status_line)


def rate_limits():
    for n in range(2):
        chat(KEY_RPM, messages=[user(f"limited {n}")])
    error = status_error(lambda: chat(KEY_RPM, messages=[user("one too many")]))
    retry_after = error.response.headers.get("retry-after") if error else None
    check(
        isinstance(error, openai.RateLimitError) and error.code == "rate_limit_exceeded",
        "the third request in a minute of a 2 rpm key is a 429",
        error,
    )
    check(retry_after is not None and 1 <= int(retry_after) <= 60, "with Retry-After in seconds", retry_after)
    other = chat(KEY_OTHER, messages=[user("not limited")])
    check(other.choices[0].message.content == "You said: not limited", "other keys are not limited")


def token_limits():
    """KEY_TPM allows 3 tokens a minute: one chat spends more, the next is a 429.
    KEY_TPM_EMBED: an embeddings request's tokens count too."""
    first = chat(KEY_TPM, messages=[user("limited tokens please")])
    check(first.usage.total_tokens >= 3, "a request under the token limit is served", first.usage)
    error = status_error(lambda: chat(KEY_TPM, messages=[user("one too many")]))
    retry_after = error.response.headers.get("retry-after") if error else None
    check(
        isinstance(error, openai.RateLimitError)
        and error.code == "rate_limit_exceeded"
        and "3 tokens per minute" in error.message,
        "over a 3 tpm key's tokens in a minute is a 429",
        error,
    )
    check(retry_after is not None and 1 <= int(retry_after) <= 60, "with Retry-After in seconds (tpm)", retry_after)

    spent = client(KEY_TPM_EMBED).embeddings.create(model=EMBEDDING_MODEL, input=["one two", "three four"])
    check(spent.usage.prompt_tokens == 4 and spent.usage.total_tokens == 4, "embeddings usage counts the input tokens", spent.usage)
    error = status_error(lambda: chat(KEY_TPM_EMBED, messages=[user("after embeddings")]))
    check(isinstance(error, openai.RateLimitError), "embedding tokens count against tpm", error)


def no_aws_credentials():
    gateway = client("unused", url=os.environ["NO_AWS_URL"])
    error = status_error(lambda: gateway.chat.completions.create(model=CHAT_MODEL, messages=[user("hi")]))
    check(
        isinstance(error, openai.InternalServerError)
        and error.status_code == 500
        and error.code == "no_aws_credentials"
        and "credentials" in error.message,
        "no AWS credentials is a 500 naming the problem",
        error and error.body,
    )


def reasoning():
    completion = chat(messages=[user("Hello thinker")], reasoning_effort="low")
    message = as_dict(completion.choices[0].message)
    expected = "The user said: Hello thinker. I will repeat it."
    check(message.get("reasoning_content") == expected, "reasoning_content", message)
    check(message.get("content") == "You said: Hello thinker", "no reasoning inside content", message.get("content"))
    details = message.get("reasoning_details") or []
    check(
        len(details) == 1
        and details[0].get("type") == "reasoning.text"
        and details[0].get("text") == expected
        and details[0].get("signature"),
        "reasoning_details carries the signed reasoning",
        details,
    )

    chunks = stream_chunks(messages=[user("Hello thinker")], reasoning_effort="low")
    check(streamed_text(chunks, "reasoning_content") == expected, "streamed reasoning_content")
    check(streamed_text(chunks) == "You said: Hello thinker", "streamed content without reasoning")
    final = [c["choices"][0] for c in chunks if c["choices"] and c["choices"][0].get("finish_reason")]
    final_details = final[0]["delta"].get("reasoning_details") if final else None
    check(final_details == details, "the final chunk carries reasoning_details", final_details)

    # medium and high, with sampling settings (dropped) and a developer message
    # (a system prompt): the Rust side reads what reached Bedrock.
    for effort in ("medium", "high"):
        completion = chat(
            messages=[{"role": "developer", "content": "Be brief."}, user(f"{effort} thinker")],
            reasoning_effort=effort,
            temperature=0.7,
            top_p=0.9,
        )
        check(completion.choices[0].message.content == f"You said: {effort} thinker", f"reasoning_effort {effort}", completion)


def thinking_tool_turns():
    tools = [WEATHER_TOOL, TIME_TOOL]
    first = chat(messages=[user(WEATHER_PROMPT)], tools=tools, reasoning_effort="low")
    message = as_dict(first.choices[0].message)
    details = message.get("reasoning_details")
    call = message["tool_calls"][0]
    check(details and first.choices[0].finish_reason == "tool_calls", "a thinking turn that calls a tool", message)

    def second_turn(key, with_details):
        assistant = {"role": "assistant", "content": message.get("content"), "tool_calls": [call]}
        if with_details:
            assistant["reasoning_details"] = details
        return chat(
            key,
            messages=[
                user(WEATHER_PROMPT),
                assistant,
                {"role": "tool", "tool_call_id": call["id"], "content": "sunny"},
            ],
            tools=tools,
            reasoning_effort="low",
        )

    # Another key has no cached reasoning for this turn: without the details, Bedrock refuses.
    error = status_error(lambda: second_turn(KEY_OTHER, with_details=False))
    check(
        isinstance(error, openai.BadRequestError) and "Expected `thinking` or `redacted_thinking`" in error.message,
        "a thinking tool turn without its signed reasoning is refused (400)",
        error,
    )
    answer = second_turn(KEY_OTHER, with_details=True).choices[0].message.content
    check(answer == "The tool `get_weather` returned: sunny.", "with reasoning_details sent back it is accepted", answer)
    answer = second_turn(KEY_FULL, with_details=False).choices[0].message.content
    check(
        answer == "The tool `get_weather` returned: sunny.",
        "a client that drops reasoning_details is served from the gateway's cache",
        answer,
    )

    # The same through a stream: the turn's reasoning is cached when the stream ends.
    stream_prompt = 'Weather for Lyon? {"city": "Lyon"}'
    chunks = stream_chunks(messages=[user(stream_prompt)], tools=tools, reasoning_effort="low")
    pieces = [p for c in chunks for ch in c["choices"] for p in ch["delta"].get("tool_calls") or []]
    streamed_call = {
        "id": pieces[0]["id"],
        "type": "function",
        "function": {"name": pieces[0]["function"]["name"], "arguments": "".join(p["function"].get("arguments", "") for p in pieces)},
    }
    follow = chat(
        messages=[
            user(stream_prompt),
            {"role": "assistant", "content": None, "tool_calls": [streamed_call]},
            {"role": "tool", "tool_call_id": streamed_call["id"], "content": "rain"},
        ],
        tools=tools,
        reasoning_effort="low",
    )
    check(
        follow.choices[0].message.content == "The tool `get_weather` returned: rain.",
        "a streamed thinking turn's reasoning is cached too",
        follow.choices[0].message.content,
    )


def prompt_caching():
    system = "You are a careful assistant. " + " ".join(f"rule{n}" for n in range(60))
    words = len(system.split())

    def ask(question, stream=False):
        messages = [
            {"role": "system", "content": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}]},
            user(question),
        ]
        if stream:
            chunks = stream_chunks(messages=messages, stream_options={"include_usage": True})
            return chunks[-1]["usage"]
        return as_dict(chat(messages=messages).usage)

    first = ask("first question")
    second = ask("second question")
    streamed = ask("third question", stream=True)
    check(first["prompt_tokens_details"]["cached_tokens"] == 0, "the first request writes the cache", first)
    check(second["prompt_tokens_details"]["cached_tokens"] == words, "a repeated prefix is read from the cache", second)
    check(second["prompt_tokens"] > words, "prompt_tokens counts cache reads too", second)
    check(streamed["prompt_tokens_details"]["cached_tokens"] == words, "the streamed usage has cached_tokens", streamed)

    # cache_control on a user part and on a tool; then five marks, of which
    # Bedrock takes four (the Rust side reads what reached Bedrock).
    ephemeral = {"type": "ephemeral"}
    chat(
        messages=[{"role": "user", "content": [{"type": "text", "text": "cache the user part", "cache_control": ephemeral}]}],
        tools=[dict(TIME_TOOL, cache_control=ephemeral)],
    )
    parts = [{"type": "text", "text": f"mark {n}", "cache_control": ephemeral} for n in range(1, 5)]
    chat(
        messages=[
            {"role": "system", "content": [{"type": "text", "text": system, "cache_control": ephemeral}]},
            {"role": "user", "content": [{"type": "text", "text": "five cache points"}] + parts},
        ]
    )


def automatic_caching():
    """AUTO_URL adds cache points after the system prompt and the tools of a
    model that caches, none for one that does not (the emulator refuses cache
    points there, as Bedrock does)."""
    auto = client(url=AUTO_URL)
    system = "You answer questions about fruit. " + " ".join(f"fact{n}" for n in range(40))

    def ask(model, question, stream=False):
        params = dict(
            model=model,
            messages=[{"role": "system", "content": system}, user(question)],
            tools=[WEATHER_TOOL, TIME_TOOL],
        )
        if stream:
            chunks = [as_dict(c) for c in auto.chat.completions.create(stream=True, stream_options={"include_usage": True}, **params)]
            return chunks[-1]["usage"]
        return as_dict(auto.chat.completions.create(**params).usage)

    plain = ask(NO_CACHE_MODEL, "auto caching apples")
    check(plain["prompt_tokens_details"]["cached_tokens"] == 0, "a model without caching reads nothing from a cache", plain)
    first = ask(CHAT_MODEL, "auto caching pears")
    second = ask(CHAT_MODEL, "auto caching plums")
    streamed = ask(CHAT_MODEL, "auto caching figs", stream=True)
    check(first["prompt_tokens_details"]["cached_tokens"] == 0, "promptCaching auto: the first request writes the cache", first)
    read = second["prompt_tokens_details"]["cached_tokens"]
    check(read >= len(system.split()), "promptCaching auto: the repeat reads the system prompt and tools from the cache", second)
    check(
        first["prompt_tokens"] == second["prompt_tokens"] == plain["prompt_tokens"],
        "prompt_tokens = input + cache read + cache write (the same prompt size cached or not)",
        (first, second, plain),
    )
    check(second["total_tokens"] == second["prompt_tokens"] + second["completion_tokens"], "total adds up with a cache read", second)
    check(
        streamed["prompt_tokens_details"]["cached_tokens"] == read and streamed["prompt_tokens"] == plain["prompt_tokens"],
        "the streamed usage chunk has the same cache numbers",
        streamed,
    )


def fixed_up_shapes():
    """Shapes Bedrock refuses (and so does the emulator), fixed by the gateway."""
    marked = {"type": "ephemeral"}
    completion = chat(
        model=NO_CACHE_MODEL,
        messages=[
            {"role": "system", "content": [{"type": "text", "text": "Be brief.", "cache_control": marked}]},
            {"role": "user", "content": [{"type": "text", "text": "no cache model", "cache_control": marked}]},
        ],
    )
    check(completion.choices[0].message.content == "You said: no cache model", "cache_control on a model without caching is dropped")
    prefill = chat(messages=[user("prefill question"), {"role": "assistant", "content": "The answer is \n"}])
    check(prefill.choices[0].finish_reason == "stop", "a final assistant text's trailing whitespace is trimmed")
    first = chat(messages=[user(WEATHER_PROMPT)], tools=[WEATHER_TOOL])
    call = first.choices[0].message.tool_calls[0]
    for content in ["", []]:
        answered = chat(
            messages=[
                user(WEATHER_PROMPT),
                {"role": "assistant", "content": None, "tool_calls": [call.to_dict()]},
                {"role": "tool", "tool_call_id": call.id, "content": content},
            ],
            tools=[WEATHER_TOOL],
        )
        text = answered.choices[0].message.content
        check(text == "The tool `get_weather` returned: (no output).", f"an empty tool result ({content!r}) is sent as a placeholder", text)


def blank_text():
    completion = chat(
        messages=[user("Hello"), user("   "), {"role": "assistant", "content": " "}, user("again")]
    )
    text = completion.choices[0].message.content
    check(text == "You said: Hello again", "blank text is dropped, then same-role turns merged", text)


def concurrent_streams():
    async def one(gateway, n):
        stream = await gateway.chat.completions.create(
            model=CHAT_MODEL, stream=True, messages=[user(f"concurrent request {n}")]
        )
        text = ""
        async for chunk in stream:
            for choice in chunk.choices:
                text += choice.delta.content or ""
        return text

    async def all_of_them():
        gateway = AsyncOpenAI(base_url=URL + "/v1", api_key=KEY_FULL, max_retries=0, timeout=120)
        try:
            return await asyncio.gather(*(one(gateway, n) for n in range(100)))
        finally:
            await gateway.close()

    started = time.monotonic()
    texts = asyncio.run(all_of_them())
    wrong = [n for n, text in enumerate(texts) if text != f"You said: concurrent request {n}"]
    check(not wrong, f"100 concurrent streams each get their own text ({time.monotonic() - started:.1f} s)", wrong)


def main_phase():
    health_and_models()
    plain_chat()
    tools()
    images()
    embeddings()
    errors()
    rate_limits()
    token_limits()
    no_aws_credentials()
    reasoning()
    thinking_tool_turns()
    prompt_caching()
    automatic_caching()
    fixed_up_shapes()
    blank_text()
    concurrent_streams()


# ---------------------------------------------------------- scripted phases


def tool_indexes_phase():
    """The emulator answers (twice) with text and three tool calls at content blocks 1, 2, 3."""
    chunks = stream_chunks(messages=[user("three tools")], tools=[WEATHER_TOOL, TIME_TOOL])
    pieces = [p for c in chunks for ch in c["choices"] for p in ch["delta"].get("tool_calls") or []]
    firsts = [p for p in pieces if "id" in p]
    check([p["index"] for p in firsts] == [0, 1, 2], "tool calls are numbered 0, 1, 2", firsts)
    check(all(p.get("function", {}).get("name") for p in firsts), "each first piece has the name")
    by_index = {}
    for piece in pieces:
        by_index[piece["index"]] = by_index.get(piece["index"], "") + piece.get("function", {}).get("arguments", "")
    check(
        [json.loads(by_index[n]) for n in range(3)] == [{"city": "Paris"}, {"zone": "UTC"}, {"city": "Oslo"}],
        "each call's arguments join up under its index",
        by_index,
    )
    completion = chat(messages=[user("three tools")], tools=[WEATHER_TOOL, TIME_TOOL])
    names = [call.function.name for call in completion.choices[0].message.tool_calls]
    check(names == ["get_weather", "get_time", "get_weather"], "non-streaming calls in order", names)


def keepalive_phase():
    """The emulator sends each frame of the next stream after 1.3 s; keepaliveSeconds is 1."""
    status, events = raw_sse({"model": CHAT_MODEL, "stream": True, "messages": [user("slow")]})
    comments = [event for event in events if event.startswith(":")]
    check(status == 200 and comments and all(c == ": keepalive" for c in comments), "keepalive comments on a slow stream", events)
    check(events[-1] == "data: [DONE]", "the slow stream still completes")
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunk_json(events) if c["choices"])
    check(text == "You said: slow", "and carries the whole text", text)


def ended_without_stop(prompt, how, url=URL):
    """Two streams of `prompt` that the emulator breaks (`how` they end): each
    ends with an error event, no [DONE] and no finish_reason, and the official
    client raises on it."""
    status, events = raw_sse({"model": CHAT_MODEL, "stream": True, "messages": [user(prompt)]}, url=url)
    chunks = chunk_json(events)
    check(status == 200 and "data: [DONE]" not in events, f"a stream {how} gets no [DONE]", events)
    check(chunks and "error" in chunks[-1], f"a stream {how} ends with an error event", events[-1:])
    finishes = [c["choices"][0].get("finish_reason") for c in chunks if c.get("choices")]
    check(all(f is None for f in finishes), f"a stream {how} has no made-up finish_reason", finishes)
    try:
        [chunk for chunk in client(url=url).chat.completions.create(model=CHAT_MODEL, stream=True, messages=[user(prompt)])]
        raised = None
    except openai.APIError as error:
        raised = error
    check(
        raised is not None and not isinstance(raised, openai.APIStatusError),
        f"the official client raises on a stream {how}",
        raised,
    )
    return chunks


def cut_phase():
    """The emulator cuts the next two streams after their first frames."""
    ended_without_stop("cut me off please", "cut by the network")


def idle_phase():
    """IDLE_URL is a gateway whose Bedrock idle timeout is 1 s
    (BEDROCK_LITE_IDLE_TIMEOUT); the emulator sends each frame of the next two
    streams after 3 s."""
    chunks = ended_without_stop("too slow", "that went idle", url=os.environ["IDLE_URL"])
    message = (chunks[-1].get("error") or {}).get("message", "") if chunks else ""
    check("idle" in message, "the error event says the stream went idle", message)


def upstream_errors_phase():
    """The emulator answers: throttled (3 times), unavailable (3 times), not found,
    access denied, model not ready (3 times)."""
    error = status_error(lambda: chat(messages=[user("throttled")]))
    check(isinstance(error, openai.RateLimitError) and error.code == "ThrottlingException", "Bedrock throttling is a 429", error)
    error = status_error(lambda: chat(messages=[user("unavailable")]))
    check(
        isinstance(error, openai.InternalServerError) and error.status_code == 503,
        "Bedrock unavailable is a 503",
        error,
    )
    error = status_error(lambda: chat(messages=[user("not found")]))
    check(
        isinstance(error, openai.NotFoundError) and error.code == "ResourceNotFoundException",
        "Bedrock's ResourceNotFound is a 404",
        error,
    )
    error = status_error(lambda: chat(messages=[user("denied")]))
    check(
        isinstance(error, openai.PermissionDeniedError) and error.code == "AccessDeniedException",
        "Bedrock's AccessDenied is a 403",
        error,
    )
    error = status_error(lambda: chat(messages=[user("not ready")]))
    check(
        isinstance(error, openai.InternalServerError)
        and error.status_code == 503
        and error.code == "ModelNotReadyException",
        "Bedrock's ModelNotReady is a 503",
        error,
    )


def busy_phase():
    """BUSY_URL serves one Bedrock call at a time; the emulator drips the next stream."""
    busy = os.environ["BUSY_URL"]
    parts = urllib.parse.urlsplit(busy)
    body = json.dumps({"model": CHAT_MODEL, "stream": True, "messages": [user("hold the slot")]}).encode()
    sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
        + body
    )
    head = sock.recv(65536)
    check(head.startswith(b"HTTP/1.1 200"), "a slow stream holds the only slot", head[:40])
    error = status_error(lambda: client("unused", url=busy).chat.completions.create(model=CHAT_MODEL, messages=[user("x")]))
    check(
        isinstance(error, openai.RateLimitError)
        and error.code == "too_many_concurrent_requests"
        and error.response.headers.get("retry-after"),
        "over gateway.maxConcurrent is a 429 with Retry-After",
        error,
    )
    sock.close()  # the client goes away: the gateway drops the Bedrock stream and frees the slot
    deadline = time.monotonic() + 5
    answer = None
    while time.monotonic() < deadline:
        try:
            answer = client("unused", url=busy).chat.completions.create(model=CHAT_MODEL, messages=[user("free")])
            break
        except openai.RateLimitError:
            time.sleep(0.05)
    check(
        answer is not None and answer.choices[0].message.content == "You said: free",
        "a client that goes away frees its slot at once",
        answer,
    )


def finish_reasons_phase():
    """The emulator answers max_tokens, guardrail_intervened, content_filtered,
    each once whole and once streamed."""
    for stop, expected in [("max_tokens", "length"), ("guardrail_intervened", "content_filter"), ("content_filtered", "content_filter")]:
        completion = chat(messages=[user(f"stop {stop}")])
        check(completion.choices[0].finish_reason == expected, f"{stop} is finish_reason {expected}", completion.choices[0].finish_reason)
        chunks = stream_chunks(messages=[user(f"stop {stop} streamed")])
        finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0].get("finish_reason")]
        check(finishes == [expected], f"streamed {stop} is finish_reason {expected}", finishes)
        check(streamed_text(chunks) == "Partial answer", f"streamed {stop} keeps its text", streamed_text(chunks))


REDACTED = base64.b64encode(b"\x00\x01redacted-reasoning\xff").decode()


def redacted_phase():
    """The emulator answers twice (whole, then streamed) with redacted
    reasoning and a call of get_weather; the follow-up turns are the model's."""
    tools = [WEATHER_TOOL]
    first = chat(messages=[user("redacted weather")], tools=tools, reasoning_effort="low")
    message = as_dict(first.choices[0].message)
    expected = [{"type": "reasoning.encrypted", "data": REDACTED}]
    check(message.get("reasoning_details") == expected, "redacted reasoning is reasoning.encrypted", message)
    check(not message.get("reasoning_content"), "no reasoning text for redacted reasoning", message)

    chunks = stream_chunks(messages=[user("redacted weather streamed")], tools=tools, reasoning_effort="low")
    final = [c["choices"][0] for c in chunks if c["choices"] and c["choices"][0].get("finish_reason")]
    details = final[0]["delta"].get("reasoning_details") if final else None
    check(details == expected, "the final chunk's delta carries reasoning.encrypted", details)

    call = message["tool_calls"][0]
    follow = chat(
        KEY_OTHER,
        messages=[
            user("redacted weather"),
            {"role": "assistant", "content": None, "tool_calls": [call], "reasoning_details": expected},
            {"role": "tool", "tool_call_id": call["id"], "content": "hail"},
        ],
        tools=tools,
        reasoning_effort="low",
    )
    check(
        follow.choices[0].message.content == "The tool `get_weather` returned: hail.",
        "reasoning.encrypted sent back is accepted in a thinking tool turn",
        follow.choices[0].message.content,
    )


def decoder_error_phase():
    """The emulator answers the next two streams with frames that do not decode."""
    ended_without_stop("garbage frames", "that does not decode")


PHASES = {
    "finish_reasons": finish_reasons_phase,
    "redacted": redacted_phase,
    "decoder_error": decoder_error_phase,
    "main": main_phase,
    "tool_indexes": tool_indexes_phase,
    "keepalive": keepalive_phase,
    "cut": cut_phase,
    "idle": idle_phase,
    "upstream_errors": upstream_errors_phase,
    "busy": busy_phase,
}

if __name__ == "__main__":
    phase = sys.argv[1] if len(sys.argv) > 1 else "main"
    print(f"openai {openai.__version__}, phase {phase}")
    PHASES[phase]()
    if failures:
        print(f"{len(failures)} check(s) failed: {failures}")
        sys.exit(1)
    print("every check passed")
