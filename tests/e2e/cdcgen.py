#!/usr/bin/env python3
"""cdcgen.py < events.jsonl > stream.cdc: write a cdc-stream(5) from JSON
lines, one event map per line, with a minimal msgpack encoder (stdlib only),
for tests of the writers that need events milvus-sim does not produce.
Tests import frames() from it to cut a stream into frames.
A header frame comes first.  Tagged objects give the msgpack types JSON lacks:
  {"$bin": "hex"}            bin
  {"$f32": 1.5}              float32
  {"$vec_f32": [..]}         bin of little-endian float32 (FloatVector data)
  {"$vec_f16": [..]}         bin of binary16 (Float16Vector)
  {"$vec_bf16": [..]}        bin of bfloat16 (BFloat16Vector)
  {"$vec_i8": [..]}          bin of int8 (Int8Vector)
  {"$sparse": {"3": 0.5}}    bin of (uint32 index, float32 value) pairs
"""
import json, struct, sys


def pack(o, out):
    if isinstance(o, dict) and len(o) == 1 and next(iter(o)).startswith("$"):
        tag, v = next(iter(o.items()))
        if tag == "$f32":
            out += b"\xca" + struct.pack(">f", v)
            return
        if tag == "$bin":
            raw = bytes.fromhex(v)
        elif tag == "$vec_f32":
            raw = struct.pack("<%df" % len(v), *v)
        elif tag == "$vec_f16":
            raw = struct.pack("<%de" % len(v), *v)
        elif tag == "$vec_bf16":
            raw = b"".join(struct.pack("<f", x)[2:] for x in v)
        elif tag == "$vec_i8":
            raw = struct.pack("<%db" % len(v), *v)
        elif tag == "$sparse":
            raw = b"".join(struct.pack("<If", int(k), x)
                           for k, x in sorted(v.items(), key=lambda kv: int(kv[0])))
        else:
            raise SystemExit("cdcgen: unknown tag %s" % tag)
        out += (b"\xc4" + bytes([len(raw)]) if len(raw) < 256 else
                b"\xc6" + struct.pack(">I", len(raw))) + raw
    elif o is None:
        out += b"\xc0"
    elif o is True or o is False:
        out += b"\xc3" if o else b"\xc2"
    elif isinstance(o, int):
        if 0 <= o < 128:
            out += bytes([o])
        elif -32 <= o < 0:
            out += struct.pack(">b", o)
        elif o >= 0:
            out += b"\xcf" + struct.pack(">Q", o)
        else:
            out += b"\xd3" + struct.pack(">q", o)
    elif isinstance(o, float):
        out += b"\xcb" + struct.pack(">d", o)
    elif isinstance(o, str):
        b = o.encode()
        out += (bytes([0xa0 | len(b)]) if len(b) < 32 else
                b"\xd9" + bytes([len(b)]) if len(b) < 256 else
                b"\xdb" + struct.pack(">I", len(b))) + b
    elif isinstance(o, list):
        out += (bytes([0x90 | len(o)]) if len(o) < 16 else
                b"\xdd" + struct.pack(">I", len(o)))
        for x in o:
            pack(x, out)
    elif isinstance(o, dict):
        out += (bytes([0x80 | len(o)]) if len(o) < 16 else
                b"\xdf" + struct.pack(">I", len(o)))
        for k, v in o.items():
            pack(k, out)
            pack(v, out)
    else:
        raise SystemExit("cdcgen: cannot pack %r" % (o,))


def frame(obj):
    body = bytearray()
    pack(obj, body)
    return struct.pack(">I", len(body)) + bytes(body)


def frames(data):
    """The whole frames of a stream's bytes, each with its length prefix; a
    torn tail (a writer killed mid-frame) is left out."""
    out, off = [], 0
    while off + 4 <= len(data):
        n = struct.unpack(">I", data[off:off + 4])[0]
        if off + 4 + n > len(data):
            break
        out.append(data[off:off + 4 + n])
        off += 4 + n
    return out


def main():
    w = sys.stdout.buffer
    w.write(frame({"type": "header", "format": "cdc-stream", "version": 1,
                   "tool": "cdcgen.py", "tool_version": "1", "source": "test"}))
    for n, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if line and not line.startswith("#"):
            w.write(frame(json.loads(line)))


if __name__ == "__main__":
    main()
