"""The y-websocket wire protocol (y-protocols ``sync``, ``awareness`` and ``auth``), strictly decoded.

A frame is ``varUint(messageType)`` followed by its body, integers in lib0's variable-length
encoding (7 bits per byte, high bit = more), byte arrays and strings prefixed by their length
in bytes (strings UTF-8). Source: github.com/yjs/y-protocols (sync.js, awareness.js, auth.js)
and github.com/dmonad/lib0 (encoding.js). Written here rather than taken from pycrdt because
pycrdt's ``Encoder.write_var_string`` writes the character count, not the UTF-8 byte count,
and its decoder does not check bounds: a hostile frame must raise ``ProtocolError``, nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NamedTuple

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
AUTH_PERMISSION_DENIED = 0
# An update that changes nothing, as Yjs encodes it (no structs, empty delete set).
EMPTY_UPDATE = b"\x00\x00"
_MAX_VARUINT_BYTES = 8  # 56 bits: lib0 stays within JavaScript's 53-bit safe integers


class ProtocolError(ValueError):
    """The frame does not follow the protocol."""


class SyncStep(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


_STEPS = tuple(SyncStep)  # indexed by step number: quicker than SyncStep(number) per frame


class Message(NamedTuple):
    """One decoded frame: ``kind`` is ``sync``, ``awareness`` or ``query_awareness``.

    A named tuple: one is made per incoming frame, and a frozen dataclass costs several times
    as much to build.
    """

    kind: str
    payload: bytes = b""
    step: SyncStep | None = None


@dataclass(frozen=True)
class AwarenessEntry:
    """One client's awareness state; ``state`` None means the client left."""

    client_id: int
    clock: int
    state: dict[str, Any] | None


def read_var_uint(data: bytes, pos: int) -> tuple[int, int]:
    """Return the unsigned integer at ``pos`` and the position after it."""
    if pos < len(data) and data[pos] < 0x80:  # one byte: most kinds, steps, counts, lengths
        return data[pos], pos + 1
    value = 0
    shift = 0
    for _ in range(_MAX_VARUINT_BYTES):
        if pos >= len(data):
            raise ProtocolError("truncated integer")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise ProtocolError("integer too long")


def read_var_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    """Return the length-prefixed byte array at ``pos`` and the position after it."""
    length, pos = read_var_uint(data, pos)
    end = pos + length
    if end > len(data):
        raise ProtocolError("truncated byte array")
    return bytes(data[pos:end]), end


def read_var_string(data: bytes, pos: int) -> tuple[str, int]:
    """Return the length-prefixed UTF-8 string at ``pos`` and the position after it."""
    raw, pos = read_var_bytes(data, pos)
    try:
        return raw.decode("utf-8"), pos
    except UnicodeDecodeError as error:
        raise ProtocolError("string is not UTF-8") from error


def write_var_uint(value: int) -> bytes:
    """Return ``value`` in lib0's variable-length encoding."""
    if value < 0:
        raise ValueError("negative integer")
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def write_var_bytes(data: bytes) -> bytes:
    """Return ``data`` prefixed with its length."""
    return write_var_uint(len(data)) + data


def write_var_string(text: str) -> bytes:
    """Return ``text`` as UTF-8 prefixed with its length in bytes."""
    return write_var_bytes(text.encode("utf-8"))


def decode_message(frame: bytes) -> Message:
    """Return the message in ``frame``; raise ProtocolError on anything malformed.

    Trailing bytes are refused: y-websocket sends exactly one message per frame.
    """
    kind, pos = read_var_uint(frame, 0)
    if kind == MESSAGE_SYNC:
        step_number, pos = read_var_uint(frame, pos)
        if step_number >= len(_STEPS):
            raise ProtocolError("unknown sync step")
        payload, pos = read_var_bytes(frame, pos)
        message = Message("sync", payload, _STEPS[step_number])
    elif kind == MESSAGE_AWARENESS:
        payload, pos = read_var_bytes(frame, pos)
        message = Message("awareness", payload)
    elif kind == MESSAGE_QUERY_AWARENESS:
        message = Message("query_awareness")
    else:
        raise ProtocolError("unknown message type")
    if pos != len(frame):
        raise ProtocolError("trailing bytes")
    return message


def encode_sync(step: SyncStep, payload: bytes) -> bytes:
    """Return a sync frame (step 1 carries a state vector, steps 2 and update an update)."""
    return write_var_uint(MESSAGE_SYNC) + write_var_uint(step) + write_var_bytes(payload)


def encode_awareness(update: bytes) -> bytes:
    """Return an awareness frame carrying an encoded awareness update."""
    return write_var_uint(MESSAGE_AWARENESS) + write_var_bytes(update)


def encode_permission_denied(reason: str) -> bytes:
    """Return the auth frame y-websocket clients log as "Permission denied: <reason>"."""
    return (
        write_var_uint(MESSAGE_AUTH)
        + write_var_uint(AUTH_PERMISSION_DENIED)
        + write_var_string(reason)
    )


def decode_awareness_update(payload: bytes) -> list[AwarenessEntry]:
    """Return the entries of an awareness update; states must be JSON objects or null."""
    count, pos = read_var_uint(payload, 0)
    entries = []
    for _ in range(count):
        client_id, pos = read_var_uint(payload, pos)
        clock, pos = read_var_uint(payload, pos)
        text, pos = read_var_string(payload, pos)
        try:
            state = json.loads(text) if text else None
        except ValueError as error:
            raise ProtocolError("awareness state is not JSON") from error
        if state is not None and not isinstance(state, dict):
            raise ProtocolError("awareness state is not an object")
        entries.append(AwarenessEntry(client_id, clock, state))
    if pos != len(payload):
        raise ProtocolError("trailing bytes in awareness update")
    return entries


def encode_awareness_update(entries: list[AwarenessEntry]) -> bytes:
    """Return the awareness update encoding ``entries``."""
    parts = [write_var_uint(len(entries))]
    for entry in entries:
        parts.append(write_var_uint(entry.client_id))
        parts.append(write_var_uint(entry.clock))
        parts.append(
            write_var_string(json.dumps(entry.state, ensure_ascii=False, separators=(",", ":")))
        )
    return b"".join(parts)


def check_update(update: bytes) -> None:
    """Raise ProtocolError if an update's leading counts exceed its own size.

    yrs reserves memory for the number of clients and of structs an update announces before
    reading them: a few forged bytes announcing millions stall the worker for seconds. Every
    announced item takes at least one byte, so a count larger than the update is a forgery.
    """
    count, pos = read_var_uint(update, 0)
    if count > len(update):
        raise ProtocolError("update announces more clients than it holds")
    if count:
        structs, _ = read_var_uint(update, pos)
        if structs > len(update):
            raise ProtocolError("update announces more structs than it holds")


def check_state_vector(state_vector: bytes) -> None:
    """Raise ProtocolError if a state vector announces more entries than it holds."""
    count, _ = read_var_uint(state_vector, 0)
    if count > len(state_vector):
        raise ProtocolError("state vector announces more entries than it holds")
