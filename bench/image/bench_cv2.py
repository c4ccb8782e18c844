#!/usr/bin/env python3
"""OpenCV side of bench/image/run.sh: times cv2.resize on the same frame
(single thread) and compares its output with verhm's. Prints
"name median_ms min_ms max_abs_diff identical_percent"."""
import sys
import time

import cv2
import numpy as np

out, reps = sys.argv[1], int(sys.argv[2])
cv2.setNumThreads(1)
frame = cv2.cvtColor(cv2.imread(out + "/frame.png", cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
for name, interp in (("bilinear", cv2.INTER_LINEAR), ("area", cv2.INTER_AREA)):
    for _ in range(5):
        cv2.resize(frame, (640, 360), interpolation=interp)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        r = cv2.resize(frame, (640, 360), interpolation=interp)
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    ours = cv2.cvtColor(cv2.imread("%s/verhm_%s.png" % (out, name), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    d = np.abs(ours.astype(int) - r.astype(int))
    print("%s %.4f %.4f %d %.3f" % (name, ts[len(ts) // 2], ts[0], d.max(), 100.0 * (d == 0).mean()))
