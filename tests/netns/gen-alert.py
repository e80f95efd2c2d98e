#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Prints Wazuh alerts.json lines for the namespace tests, built from a real alert (sample 5712)
# with the rule, level, source address, agent and id replaced.
# usage: gen-alert.py RULE LEVEL SRCIP [COUNT] [--agent ID] [--start N]
# With COUNT > 1, SRCIP is an IPv6 prefix ending in "::" and a counter is appended.
import json, sys, time, os

args = sys.argv[1:]
agent = "000"
start = 1
if "--agent" in args:
    i = args.index("--agent"); agent = args[i + 1]; del args[i:i + 2]
if "--start" in args:
    i = args.index("--start"); start = int(args[i + 1]); del args[i:i + 2]
rule, level, src = args[0], int(args[1]), args[2]
count = int(args[3]) if len(args) > 3 else 1
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "data", "alerts", "demo-5712.json")) as f:
    tmpl = json.loads(f.readline())
now = time.time()
out = []
for n in range(start, start + count):
    a = json.loads(json.dumps(tmpl))
    a["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(now))
    a["rule"]["id"] = rule
    a["rule"]["level"] = level
    a["agent"] = {"id": agent, "name": "test-agent"}
    a["id"] = "%d.%d" % (now, n)
    a["data"]["srcip"] = src if count == 1 else "%s%x" % (src, n)
    out.append(json.dumps(a, separators=(",", ":")))
sys.stdout.write("\n".join(out) + "\n")
