#!/usr/bin/env python3
"""Random affine warps (rotation, scale, shift) with cv2.warpAffine outputs
(INTER_LINEAR | WARP_INVERSE_MAP, constant border 7), for cmp_warp.c.
Usage: gen_warp_cases.py OUT"""
import numpy as np, cv2, struct, sys
cv2.setNumThreads(1)
rng = np.random.RandomState(5)
with open(sys.argv[1],'wb') as f:
    n=100; f.write(struct.pack('<i',n))
    for i in range(n):
        c=[1,3,4][rng.randint(3)]; sw,sh=rng.randint(8,120),rng.randint(8,120); dw,dh=rng.randint(8,120),rng.randint(8,120)
        ang=rng.uniform(-0.6,0.6); sc=rng.uniform(0.5,2)
        m=np.array([[sc*np.cos(ang),-sc*np.sin(ang),rng.uniform(-10,30)],[sc*np.sin(ang),sc*np.cos(ang),rng.uniform(-10,30)]])
        yy,xx=np.mgrid[0:sh,0:sw]
        src=((xx[...,None]*5+yy[...,None]*3+np.arange(c)*40)%256).astype(np.uint8)
        arg=src[:,:,0] if c==1 else src
        dst=cv2.warpAffine(arg,m,(dw,dh),flags=cv2.INTER_LINEAR|cv2.WARP_INVERSE_MAP,borderMode=cv2.BORDER_CONSTANT,borderValue=(7,7,7,7))
        f.write(struct.pack('<5i',sw,sh,c,dw,dh)); f.write(m.astype('<f8').tobytes()); f.write(src.tobytes()); f.write(np.ascontiguousarray(dst).tobytes())
