#!/usr/bin/env python3
"""Writes the seeds of the `sigv4_sign` fuzz target (fuzz/seeds/sigv4_sign/).

The target decodes its input with `arbitrary` 1.5 (`Input` in
fuzz_targets/sigv4_sign.rs, field by field, the last taking the rest), so each
seed is encoded here the way `arbitrary` reads it: integers little-endian,
`bool` the low bit of a byte, `Option` a bool then the value, `Vec` a bool
before each element and a false one after the last, and every length of a
`&str` or `&[u8]` taken from the END of the data (one byte while at most 256
bytes are left, else two, big-endian). `decode` reads a seed back the same way,
and each seed is checked against it before it is written.

Run from the repository root: python3 fuzz/sigv4_sign_seeds.py
"""

import json
import os

FIELDS = [
    ("method", "str"), ("path", "str"), ("query", "str"), ("headers", "pairs"),
    ("host", "opt_str"), ("body", "bytes"), ("body_digest", "opt_digest"),
    ("unsigned_payload", "bool"), ("access_key_id", "str"), ("secret", "str"),
    ("token", "opt_str"), ("region", "str"), ("service", "str"), ("seconds", "u64"),
    ("expires_in", "u64"), ("normalize_path", "bool"), ("content_sha256_header", "bool"),
    ("token_after_signing", "bool"), ("url", "str"), ("raw_request", "bytes"),
    ("context_json", "rest"),
]


def length_width(remaining):
    """How many bytes a length takes when `remaining` bytes are left (>= 2)."""
    if remaining <= 256:
        return 1
    if remaining <= 65535 + 2:
        return 2
    raise ValueError("seed too large")


def used_bytes(delta, width):
    """How many of the `width` length bytes `int_in_range` reads for 0..=delta."""
    used = 0
    while used < width and (delta >> (used * 8)) > 0:
        used += 1
    return used


def encode(seed):
    """The bytes `arbitrary` decodes into `seed` (a dict of every field)."""
    ops = []  # ("front", bytes) or ("len", n)

    def text(value):
        data = value.encode() if isinstance(value, str) else bytes(value)
        ops.append(("len", len(data)))
        ops.append(("front", data))

    for name, kind in FIELDS:
        value = seed[name]
        if kind in ("str", "bytes"):
            text(value)
        elif kind == "pairs":
            for header, header_value in value:
                ops.append(("front", b"\x01"))
                text(header)
                text(header_value)
            ops.append(("front", b"\x00"))
        elif kind == "opt_str":
            ops.append(("front", b"\x00" if value is None else b"\x01"))
            if value is not None:
                text(value)
        elif kind == "opt_digest":
            ops.append(("front", b"\x00" if value is None else b"\x01" + bytes(value)))
        elif kind == "bool":
            ops.append(("front", b"\x01" if value else b"\x00"))
        elif kind == "u64":
            ops.append(("front", value.to_bytes(8, "little")))
        elif kind == "rest":
            ops.append(("front", value.encode()))
    # Lay out: the front bytes in order, then the length bytes, the first read
    # last. A length's width depends on the bytes left when it is read, so on
    # the total, which depends on the widths: start from one byte each and
    # widen until nothing changes.
    front = b"".join(d for op, d in ops if op == "front")
    widths = [1 for op, _ in ops if op == "len"]
    while True:
        left = len(front) + sum(widths)
        new_widths, lengths, index = [], [], 0
        for op, data in ops:
            if op == "front":
                left -= len(data)
                continue
            width = length_width(left)
            max_size = left - width
            assert data <= max_size, (data, max_size)
            used = used_bytes(max_size, width)
            lengths.append(data.to_bytes(used, "big") + b"\x00" * (width - used))
            new_widths.append(width)
            left -= widths[index]
            index += 1
        if new_widths == widths:
            return front + b"".join(reversed(lengths))
        widths = new_widths


def decode(data):
    """`arbitrary`'s reading of `data` into the fields (for the check)."""
    state = {"data": data}

    def take_front(n):
        chunk, state["data"] = state["data"][:n], state["data"][n:]
        return chunk

    def byte():
        chunk = take_front(1)
        return chunk[0] if chunk else 0

    def length():
        d = state["data"]
        if len(d) == 0:
            return 0
        if len(d) == 1:
            state["data"] = b""
            return 0
        width = length_width(len(d))
        max_size = len(d) - width
        d, for_size = d[:max_size], d[max_size:]
        state["data"] = d
        used = used_bytes(max_size, width)
        value = 0
        for b in for_size[:used]:
            value = (value << 8) | b
        return value % (max_size + 1) if used else 0

    def text(as_str):
        n = length()
        raw = take_front(n)
        if as_str:
            return raw.decode()  # the seeds hold valid UTF-8 only
        return raw

    out = {}
    for name, kind in FIELDS:
        if kind == "str":
            out[name] = text(True)
        elif kind == "bytes":
            out[name] = text(False)
        elif kind == "pairs":
            pairs = []
            while byte() & 1:
                pairs.append((text(True), text(True)))
            out[name] = pairs
        elif kind == "opt_str":
            out[name] = text(True) if byte() & 1 else None
        elif kind == "opt_digest":
            out[name] = bytes(take_front(32)) if byte() & 1 else None
        elif kind == "bool":
            out[name] = bool(byte() & 1)
        elif kind == "u64":
            out[name] = int.from_bytes(take_front(8).ljust(8, b"\x00"), "little")
        elif kind == "rest":
            out[name] = state["data"].decode()
    return out


def context(**overrides):
    value = {
        "credentials": {
            "access_key_id": "AKIDEXAMPLE",
            "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        },
        "expiration_in_seconds": 3600,
        "normalize": True,
        "region": "us-east-1",
        "service": "service",
        "sign_body": False,
        "timestamp": "2015-08-30T12:36:00Z",
    }
    value.update(overrides)
    return json.dumps(value, separators=(",", ":"))


BASE = {
    "method": "GET",
    "path": "/",
    "query": "",
    "headers": [("x-amz-date", "20150830T123600Z")],
    "host": "example.amazonaws.com",
    "body": b"",
    "body_digest": None,
    "unsigned_payload": False,
    "access_key_id": "AKIDEXAMPLE",
    "secret": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "token": None,
    "region": "us-east-1",
    "service": "service",
    "seconds": 1440938160,  # 2015-08-30T12:36:00Z
    "expires_in": 3600,
    "normalize_path": True,
    "content_sha256_header": False,
    "token_after_signing": False,
    "url": "https://example.amazonaws.com/",
    "raw_request": b"GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n\r\n",
    "context_json": context(),
}

CONVERSE_BODY = b'{"messages":[{"role":"user","content":[{"text":"hi"}]}]}'

SEEDS = {
    # The suite's get-vanilla, in every entry point.
    "get-vanilla": {},
    # A Bedrock Converse call: a session token, a JSON body, its digest header.
    "bedrock-converse": {
        "method": "POST",
        "path": "/model/us.anthropic.claude-sonnet-4-6-20251001-v1%3A0/converse",
        "headers": [("content-type", "application/json"), ("x-amz-date", "20240506T120000Z")],
        "host": "bedrock-runtime.us-east-1.amazonaws.com",
        "body": CONVERSE_BODY,
        "token": "FwoGZXIvYXdzEXAMPLEsessiontoken",
        "service": "bedrock",
        "seconds": 1714996800,
        "content_sha256_header": True,
        "url": "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-6-20251001-v1%3A0/converse",
        "raw_request": b"POST /model/amazon.nova-micro-v1%3A0/converse HTTP/1.1\r\nHost:bedrock-runtime.us-east-1.amazonaws.com\r\n"
        b"Content-Type:application/json\r\nX-Amz-Date:20240506T120000Z\r\n\r\n" + CONVERSE_BODY,
        "context_json": context(service="bedrock", sign_body=True, timestamp="2024-05-06T12:00:00Z",
                                credentials={"access_key_id": "AKIDEXAMPLE",
                                             "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                             "token": "FwoGZXIvYXdzEXAMPLEsessiontoken"}),
    },
    # A presigned Bedrock API key URL (`token`): an unsigned payload, the token added after signing.
    "presigned-api-key": {
        "path": "/",
        "query": "Action=CallWithBearerToken",
        "headers": [],
        "host": "bedrock.amazonaws.com",
        "unsigned_payload": True,
        "token": "IQoJb3JpZ2luX2VjEXAMPLE",
        "service": "bedrock",
        "expires_in": 43200,
        "token_after_signing": True,
        "url": "https://bedrock.amazonaws.com/?Action=CallWithBearerToken",
        "raw_request": b"GET /?Action=CallWithBearerToken HTTP/1.1\r\nHost:bedrock.amazonaws.com\r\n\r\n",
        "context_json": context(service="bedrock", expiration_in_seconds=43200),
    },
    # Paths and queries the canonical form rewrites: dot segments, repeated
    # slashes, encoded and unreserved characters, repeated and empty keys.
    "path-and-query-normalisation": {
        "path": "/a/./b/../c//d/%7E~%20space",
        "query": "b=2&a=&a=1&%41=x&z",
        "headers": [("My-Header1", "  value1  with   spaces "), ("my-header1", "value2"),
                    ("x-amz-date", "20150830T123600Z")],
        "normalize_path": False,
        "url": "https://example.amazonaws.com/a/./b/../c//d/%7E~%20space?b=2&a=&a=1",
        "raw_request": b"GET /example/..//./path HTTP/1.1\r\nHost:example.amazonaws.com\r\n"
        b"My-Header1:value1\r\n  continued\r\nX-Amz-Date:20150830T123600Z\r\n\r\n",
        "context_json": context(normalize=False),
    },
    # A body signed by a given digest; STS's form POST.
    "sts-form-post-with-digest": {
        "method": "POST",
        "path": "/",
        "headers": [("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
                    ("x-amz-date", "20240506T120000Z")],
        "host": "sts.us-east-1.amazonaws.com",
        "body": b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=s",
        "body_digest": bytes(range(32)),
        "region": "us-east-1",
        "service": "sts",
        "seconds": 1714996800,
        "url": "https://sts.us-east-1.amazonaws.com/",
        "raw_request": b"POST / HTTP/1.1\r\nHost:sts.us-east-1.amazonaws.com\r\n"
        b"Content-Type:application/x-www-form-urlencoded\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15",
        "context_json": context(service="sts", sign_body=True),
    },
}


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "sigv4_sign")
    os.makedirs(out_dir, exist_ok=True)
    for name, overrides in SEEDS.items():
        seed = dict(BASE, **overrides)
        data = encode(seed)
        decoded = decode(data)
        expected = {k: (bytes(v) if isinstance(v, (bytes, bytearray)) else v) for k, v in seed.items()}
        expected["headers"] = [tuple(p) for p in expected["headers"]]
        assert decoded == expected, (name, decoded, expected)
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
