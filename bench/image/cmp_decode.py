#!/usr/bin/env python3
"""Compares verhm's decodes (PNG files from cmp_decode) with cv2.imread.
Usage: cmp_decode.py OUTDIR FILE..."""
import sys

import cv2
import numpy as np

out, files = sys.argv[1], sys.argv[2:]
tot = same = worst = 0
for i, f in enumerate(files):
    a = cv2.imread(f, cv2.IMREAD_COLOR)
    b = cv2.imread("%s/%d.png" % (out, i), cv2.IMREAD_COLOR)
    d = np.abs(a.astype(int) - b.astype(int))
    tot += d.size
    same += int((d == 0).sum())
    worst = max(worst, int(d.max()))
print("decode vs cv2.imread: %d files, %d samples, %.4f%% identical, max diff %d" %
      (len(files), tot, 100.0 * same / max(tot, 1), worst))
