"""A lean websocket listener for the fan-out benchmark: an asyncio protocol that does the
opening handshake and then only parses the server's (unmasked) frames, stamping each chunk of
bytes once on arrival. Thousands of them cost a generator process far less than a full client
library, so the measurement is of the servers, not of the load generator."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time


class Listener(asyncio.Protocol):
    """One audience socket. `ready` resolves on the server's first text frame (the welcome);
    `on_text(payload, arrived)` is called for every later text frame."""

    def __init__(self, path: str, host: str, headers: dict, on_text) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            + "\r\n"
        ).encode()
        self.on_text = on_text
        self.buffer = bytearray()
        self.upgraded = False
        self.ready = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.transport = None
        self.refused = b""

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        for future in (self.ready, self.closed):
            if not future.done():
                future.set_result(False)

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in self.buffer[: self.buffer.find(b"\r\n")]:
                self.refused = bytes(self.buffer[: self.buffer.find(b"\r\n")])
                self.transport.close()
                return
            del self.buffer[: end + 4]
            self.upgraded = True
        self._frames(arrived)

    def _frames(self, arrived: float) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, offset = struct.unpack_from("!H", buffer, 2)[0], 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, offset = struct.unpack_from("!Q", buffer, 2)[0], 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            if opcode == 1:
                if not self.ready.done():
                    self.ready.set_result(True)
                else:
                    self.on_text(payload, arrived)
            elif opcode == 9:  # ping: answer with a masked pong
                self._send(0xA, payload)
            elif opcode == 8:
                self.transport.close()

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(0x8, struct.pack("!H", 1000))
            self.transport.close()


def chat_sent_at(payload: bytes) -> float | None:
    """The send time a benchmark chat message carries, or None for other frames."""
    if b'"chat.message"' not in payload:
        return None
    return float(json.loads(payload)["text"])
