#!/usr/bin/env python3
"""lastckpt.py [-u] STREAM OUT: write the last checkpoint frame of a
cdc-stream to OUT (as a writer would persist it) and print the events of
STREAM (frames that are neither header, schema declaration nor checkpoint)
as hex, one per line, on stdout.  With -u only the events before that last
checkpoint (what a sink that persisted it has applied)."""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdcgen import frames

args = sys.argv[1:]
upto = args[0] == "-u"
if upto:
    args = args[1:]
last, events, covered = None, [], 0
for frame in frames(open(args[0], "rb").read()):
    head = frame[4:40]
    if b"\xa4type\xaacheckpoint" in head:
        last = frame
        covered = len(events)
    elif b"\xa4type\xa6header" not in head and b"\xa4type\xa6schema" not in head:
        events.append(frame[4:].hex())
if last is not None:
    open(args[1], "wb").write(last)
if upto:
    events = events[:covered]
print("\n".join(events))
