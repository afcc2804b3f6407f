"""Tiny MIME multipart reader/writer for multipart/related uploads and multipart/mixed batches."""

from __future__ import annotations

import base64
import re


def boundary_of(content_type: str) -> str | None:
    m = re.search(r'boundary="?([^";]+)"?', content_type or "")
    return m.group(1) if m else None


def split_headers(blob: bytes) -> tuple[dict[str, str], bytes]:
    """Split ``headers\\r\\n\\r\\nbody``; tolerate bare ``\\n`` line ends (the email package emits them)."""
    candidates = [i for i in (blob.find(b"\r\n\r\n"), blob.find(b"\n\n")) if i >= 0]
    if not candidates:
        return _parse_header_lines(blob), b""
    cut = min(candidates)
    sep = 4 if blob[cut : cut + 4] == b"\r\n\r\n" else 2
    return _parse_header_lines(blob[:cut]), blob[cut + sep :]


def _parse_header_lines(blob: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = None
    for line in blob.decode("utf-8", "replace").splitlines():
        if line[:1] in (" ", "\t") and last:  # a folded continuation (the email package folds long types)
            headers[last] = (headers[last] + " " + line.strip()).strip()
        elif ":" in line:
            name, value = line.split(":", 1)
            last = name.strip().lower()
            headers[last] = value.strip()
    return headers


def parts(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    delimiter = b"--" + boundary.encode()
    chunks = body.split(delimiter)
    out = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:] if chunk.startswith(b"\n") else chunk
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        headers, payload = split_headers(chunk)
        if headers.get("content-transfer-encoding", "").lower() == "base64":
            payload = base64.b64decode(payload)
        out.append((headers, payload))
    return out


def build(parts_: list[tuple[dict[str, str], bytes]], boundary: str) -> bytes:
    out = b""
    for headers, payload in parts_:
        out += b"--" + boundary.encode() + b"\r\n"
        for name, value in headers.items():
            out += f"{name}: {value}\r\n".encode()
        out += b"\r\n" + payload + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n"
