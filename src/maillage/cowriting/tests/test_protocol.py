"""The y-websocket codec: round trips and hostile frames."""

from __future__ import annotations

import random
import time

import pytest
from pycrdt import Doc, Text

from maillage.cowriting.yprotocol import (
    AwarenessEntry,
    ProtocolError,
    SyncStep,
    check_update,
    decode_awareness_update,
    decode_message,
    encode_awareness,
    encode_awareness_update,
    encode_permission_denied,
    encode_sync,
    read_var_string,
    read_var_uint,
    write_var_uint,
)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**32, 2**53 - 1])
def test_var_uint_round_trips(value: int) -> None:
    assert read_var_uint(write_var_uint(value), 0) == (value, len(write_var_uint(value)))


def test_sync_and_awareness_frames_round_trip() -> None:
    message = decode_message(encode_sync(SyncStep.UPDATE, b"\x01\x02"))
    assert (message.kind, message.step, message.payload) == ("sync", SyncStep.UPDATE, b"\x01\x02")
    entries = [AwarenessEntry(7, 3, {"user": {"name": "Émilie"}}), AwarenessEntry(9, 1, None)]
    frame = encode_awareness(encode_awareness_update(entries))
    assert decode_awareness_update(decode_message(frame).payload) == entries


def test_strings_are_prefixed_with_their_utf8_length() -> None:
    frame = encode_permission_denied("lecture seule é")
    assert frame[:2] == b"\x02\x00"
    assert read_var_string(frame, 2) == ("lecture seule é", len(frame))


@pytest.mark.parametrize(
    "frame",
    [
        b"\x00",
        b"\x09",
        b"\x00\x03\x00",
        b"\x00\x80\x01\x00",
        b"\x00\x00\x05ab",
        b"\x00\x00\x01ab",
        b"\x01\x02\x01",
        b"\xff\xff\xff\xff\xff\xff\xff\xff\xff",
    ],
)
def test_malformed_frames_raise_protocol_error(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_message(frame)


def test_awareness_states_must_be_json_objects() -> None:
    with pytest.raises(ProtocolError):
        decode_awareness_update(b"\x01\x01\x01\x03[1]")
    with pytest.raises(ProtocolError):
        decode_awareness_update(b"\x01\x01\x01\x01{")


def test_forged_counts_are_refused_before_pycrdt_reserves_memory() -> None:
    with pytest.raises(ProtocolError):
        check_update(bytes.fromhex("aaaa9f2c64"))  # announces ~92 million clients


def test_random_updates_never_stall_a_replica() -> None:
    rng = random.Random(4)
    doc: Doc = Doc()
    doc.get("content", type=Text).insert(0, "bonjour")
    base = doc.get_update()
    started = time.perf_counter()
    for _ in range(1500):
        if rng.random() < 0.5:
            forged = bytearray(base)
            forged[rng.randrange(len(forged))] = rng.randrange(256)
            data = bytes(forged)
        else:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
        try:
            check_update(data)
            replica: Doc = Doc()
            replica.apply_update(base)
            replica.apply_update(data)
        except (ProtocolError, ValueError):
            continue
    assert time.perf_counter() - started < 10
