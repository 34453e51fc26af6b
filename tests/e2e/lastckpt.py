#!/usr/bin/env python3
"""lastckpt.py [-u] STREAM OUT: write the last checkpoint frame of a
cdc-stream to OUT (as a writer would persist it) and print the events of
STREAM (frames that are neither header, schema declaration nor checkpoint)
as hex, one per line, on stdout.  With -u only the events before that last
checkpoint (what a sink that persisted it has applied)."""
import struct, sys

args = sys.argv[1:]
upto = args[0] == "-u"
if upto:
    args = args[1:]
data = open(args[0], "rb").read()
off, last, events, covered = 0, None, [], 0
while off + 4 <= len(data):
    n = struct.unpack(">I", data[off:off + 4])[0]
    frame = data[off:off + 4 + n]
    if len(frame) < 4 + n:
        break                       # a torn tail (kill -9): not a frame
    head = frame[4:40]
    if b"\xa4type\xaacheckpoint" in head:
        last = frame
        covered = len(events)
    elif b"\xa4type\xa6header" not in head and b"\xa4type\xa6schema" not in head:
        events.append(frame[4:].hex())
    off += 4 + n
if last is not None:
    open(args[1], "wb").write(last)
if upto:
    events = events[:covered]
print("\n".join(events))
