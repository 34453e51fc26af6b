#!/usr/bin/python3
"""measure.py 'SHELL COMMAND': run it, print "wall user sys maxrss_kib" of the
command and its children on stderr's last line as JSON on stdout."""
import json, resource, subprocess, sys, time

t0 = time.monotonic()
rc = subprocess.call(sys.argv[1], shell=True)
wall = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
                  "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kib": ru.ru_maxrss}))
sys.exit(rc)
