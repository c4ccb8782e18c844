#!/usr/bin/env python3
"""Random resize cases (sizes, channels, modes, noise or smooth content) with
cv2.resize outputs, for cmp_resize.c. Usage: gen_resize_cases.py OUT SEED COUNT"""
import numpy as np, cv2, struct, sys
cv2.setNumThreads(1)
rng = np.random.RandomState(int(sys.argv[2]))
modes = [(0, cv2.INTER_NEAREST), (1, cv2.INTER_LINEAR), (2, cv2.INTER_AREA)]
with open(sys.argv[1], 'wb') as f:
    n = int(sys.argv[3])
    f.write(struct.pack('<i', n))
    for i in range(n):
        c = [1, 3, 4][rng.randint(3)]
        sw, sh = rng.randint(1, 200), rng.randint(1, 120)
        if rng.rand() < 0.5:
            dw, dh = rng.randint(1, 200), rng.randint(1, 120)
        else:
            k = rng.randint(1, 5); dw, dh = max(1, sw // k), max(1, sh // k)
        mi, cm = modes[rng.randint(3)]
        src = rng.randint(0, 256, size=(sh, sw, c)).astype(np.uint8)
        if rng.rand() < 0.5:  # smooth content too
            yy, xx = np.mgrid[0:sh, 0:sw]
            src = ((xx[..., None] * 7 + yy[..., None] * 3 + np.arange(c) * 50) % 256).astype(np.uint8)
        arg = src[:, :, 0] if c == 1 else src
        dst = cv2.resize(arg, (dw, dh), interpolation=cm)
        f.write(struct.pack('<7i', mi, sw, sh, c, dw, dh, 0))
        f.write(src.tobytes()); f.write(np.ascontiguousarray(dst).tobytes())
