#!/usr/bin/python3
"""Converts the ICT FaceKit head (../shared/data/face3d/ict) into verhm's compact
rig asset (assets/face/ict_rig.vhrig). Run once; the output is committed.

  scripts/convert_ict_rig.py [ICT_DIR] [OUT]

What changes: quads are split into triangles, vertices no face uses are dropped,
blendshape offsets are stored sparsely (only vertices that move more than
1e-5 cm) as float16. Positions stay in centimetres. The renderer computes
normals itself. Format (all little-endian), read by src/avatar/rig.c:

  char[8]  "VHRIG\\0\\0\\0"
  u32      version (1)
  u32      nverts, ntris, nshapes
  f32      positions[nverts*3]
  f32      uvs[nverts*2]           (0,0 when the OBJ has none)
  u8       part[nverts]            0 skin, 1 eye socket, 2 teeth, 3 eyeball,
                                   4 eyelashes, 5 mouth interior (socket, gums,
                                   tongue), 6 transparent eye shells
  u32      tris[ntris*3]
  per shape: char name[32] (NUL padded), u32 count, u16 vertex[count],
             f16 delta[count*3]
  u32      crc32 of everything before it (zlib polynomial)
"""
import struct, sys, zlib
import numpy as np

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/face3d/ict"
out = sys.argv[2] if len(sys.argv) > 2 else "assets/face/ict_rig.vhrig"

pos, uv, faces = [], [], []
for line in open(f"{src}/neutral.obj"):
    if line.startswith("v "):
        pos.append([float(t) for t in line.split()[1:4]])
    elif line.startswith("vt "):
        uv.append([float(t) for t in line.split()[1:3]])
    elif line.startswith("f "):
        idx = [tuple(int(x) if x else 0 for x in t.split("/")) for t in line.split()[1:]]
        faces.append(idx)
pos = np.array(pos, np.float32)
uvs = np.array(uv, np.float32)
nv = len(pos)

# Per-vertex UV: the first UV a face assigns to the vertex (seams keep one side).
vuv = np.zeros((nv, 2), np.float32)
have = np.zeros(nv, bool)
tris = []
for f in faces:
    vs = [i[0] - 1 for i in f]
    for (vi, *rest) in f:
        if len(rest) and rest[0] and not have[vi - 1]:
            vuv[vi - 1] = uvs[rest[0] - 1]
            have[vi - 1] = True
    for k in range(1, len(vs) - 1):
        tris.append((vs[0], vs[k], vs[k + 1]))
tris = np.array(tris, np.int64)

used = np.zeros(nv, bool)
used[tris.ravel()] = True
remap = -np.ones(nv, np.int64)
remap[used] = np.arange(used.sum())
keep = np.nonzero(used)[0]

part = np.full(nv, 5, np.uint8)
# ICT FaceKit vertex ranges: face 0-9408, head and neck 9409-11247, mouth socket
# 11248-13293, eye sockets 13294-14061, gums and tongue 14062-17038, teeth
# 17039-21450, eyeballs 21451-24590, lacrimal fluid / eye blend / eye occlusion
# shells 24591-25350 (meant to be transparent), eyelashes 25351-26718.
for lo, hi, p in [(0, 11247, 0), (11248, 13293, 5), (13294, 14061, 1), (14062, 17038, 5),
                  (17039, 21450, 2), (21451, 24590, 3), (24591, 25350, 6), (25351, 26718, 4)]:
    part[lo:hi + 1] = p

shapes = np.load(f"{src}/blendshapes.npy")
names = open(f"{src}/blendshapes.txt").read().split()
assert shapes.shape == (len(names), nv, 3), shapes.shape
assert len(keep) < 65536

buf = bytearray()
buf += b"VHRIG\0\0\0" + struct.pack("<4I", 1, len(keep), len(tris), len(names))
buf += pos[keep].astype("<f4").tobytes()
buf += vuv[keep].astype("<f4").tobytes()
buf += part[keep].tobytes()
buf += remap[tris].astype("<u4").tobytes()
total = 0
for name, d in zip(names, shapes):
    d = d[keep]
    moving = np.nonzero(np.abs(d).max(axis=1) > 1e-5)[0]
    total += len(moving)
    buf += name.encode().ljust(32, b"\0")
    buf += struct.pack("<I", len(moving))
    buf += moving.astype("<u2").tobytes()
    buf += d[moving].astype("<f2").tobytes()
buf += struct.pack("<I", zlib.crc32(bytes(buf)) & 0xFFFFFFFF)
open(out, "wb").write(buf)
print(f"{out}: {len(keep)} vertices (of {nv}), {len(tris)} triangles, {len(names)} shapes, "
      f"{total} sparse offsets, {len(buf)/1e6:.2f} MB")
