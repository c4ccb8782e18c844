#!/usr/bin/env python3
"""Writes tests/data/image_vectors.h: reference outputs of OpenCV (python3-opencv)
for verhm's image tests (resize in each mode, affine warp, RGB→gray), so CI
needs no OpenCV.
Inputs are seeded random images stored in the header too.
It also writes the seed corpora fuzz/corpus/fuzz_image_load/ and
fuzz/corpus/fuzz_image_ops/ (see write_corpus, write_ops_corpus).
Run from the repository root: /usr/bin/python3 scripts/gen_image_vectors.py"""
import os
import sys

import struct
import zlib

import cv2
import numpy as np

INTERP = {"nearest": (0, cv2.INTER_NEAREST), "bilinear": (1, cv2.INTER_LINEAR), "area": (2, cv2.INTER_AREA)}


def carray(name, a):
    flat = a.reshape(-1)
    rows = [", ".join(str(int(v)) for v in flat[i:i + 24]) for i in range(0, len(flat), 24)]
    return "static const uint8_t %s[%d] = {\n    %s};\n" % (name, len(flat), ",\n    ".join(rows))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def png_file(w, h, depth, ctype, rows, extra=b"", interlace=0):
    """rows: list of raw (unfiltered) row byte strings, or for interlace=1 the
    full image rows, split here into the 7 Adam7 passes."""
    bpp_bits = depth * {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    if interlace:
        assert bpp_bits % 8 == 0
        bpp = bpp_bits // 8
        raw = b""
        for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            for y in range(y0, h, dy):
                sub = b"".join(rows[y][x * bpp:(x + 1) * bpp] for x in range(x0, w, dx))
                if sub:
                    raw += b"\0" + sub
    else:
        raw = b"".join(b"\0" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra + png_chunk(b"IDAT", zlib.compress(raw, 9)) +
            png_chunk(b"IEND", b""))


def write_corpus(root):
    """Seed corpus for fuzz/fuzz_image_load (also read by tests/test_image.c):
    PNG colour types and JPEG flavours our writer never produces, plus
    truncated copies. Pixel values checked by the test are noted."""
    d = os.path.join(root, "fuzz", "corpus", "fuzz_image_load")
    os.makedirs(d, exist_ok=True)
    files = {}
    # palette 5x4, index = (x + y) % 4; (2,1) → index 3 = blue
    pal = bytes([255, 0, 0, 0, 255, 0, 10, 20, 30, 0, 0, 255])
    idx = [bytes((x + y) % 4 for x in range(5)) for y in range(4)]
    files["palette.png"] = png_file(5, 4, 8, 3, idx, png_chunk(b"PLTE", pal))
    files["palette_trns.png"] = png_file(5, 4, 8, 3, idx, png_chunk(b"PLTE", pal) + png_chunk(b"tRNS", bytes([255, 255, 0, 128])))
    # gray+alpha 5x4: gray 30x, alpha min(100y, 255); (3,2) → (90, 200)
    files["gray_alpha.png"] = png_file(5, 4, 8, 4, [b"".join(bytes([30 * x, min(100 * y, 255)]) for x in range(5)) for y in range(4)])
    # 16-bit RGB 5x4: R 65535 at x=1 else 1000x, G 32896, B 0; (1,1) → 8-bit (255, 128, 0)
    files["rgb16.png"] = png_file(5, 4, 16, 2, [b"".join(struct.pack(">HHH", 65535 if x == 1 else x * 1000, 32896, 0)
                                                          for x in range(5)) for y in range(4)])
    # 1-bit gray 9x3: pixel x on when x odd
    files["gray1.png"] = png_file(9, 3, 1, 0, [bytes([0b01010101, 0b00000000]) for _ in range(3)])
    # Adam7-interlaced RGB 9x7: R 20 at x=4 else 7x, G 20y, B 180; (4,5) → (20, 100, 180)
    rows = [b"".join(bytes([20 if x == 4 else 7 * x, 20 * y, 180]) for x in range(9)) for y in range(7)]
    files["interlaced.png"] = png_file(9, 7, 8, 2, rows, interlace=1)
    files["rgba.png"] = png_file(3, 2, 8, 6, [bytes([10, 20, 30, 40] * 3), bytes([250, 200, 150, 100] * 3)])
    ok, gray = cv2.imencode(".jpg", np.full((16, 16), 128, np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 90])
    files["gray.jpg"] = gray.tobytes()
    bgr = np.zeros((16, 16, 3), np.uint8)
    bgr[:, :] = (40, 40, 200)  # RGB (200, 40, 40)
    ok, prog = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    files["progressive.jpg"] = prog.tobytes()
    tex = np.random.RandomState(7).randint(0, 256, size=(12, 12, 3)).astype(np.uint8)
    ok, base = cv2.imencode(".jpg", tex, [cv2.IMWRITE_JPEG_QUALITY, 75])
    files["baseline.jpg"] = base.tobytes()
    files["truncated.jpg"] = base.tobytes()[: len(base) // 2]
    files["truncated.png"] = files["interlaced.png"][:-30]
    for name, data in files.items():
        assert len(data) < 2048, name
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def write_ops_corpus(root):
    """Seeds for fuzz/fuzz_image_ops.c: big-endian u32/f64 fields in the order
    that harness reads them (w, h, channel pick, colour, then op id + params)."""
    d = os.path.join(root, "fuzz", "corpus", "fuzz_image_ops")
    os.makedirs(d, exist_ok=True)

    def u(v):
        return struct.pack(">I", v & 0xffffffff)

    def f(x):
        return struct.pack(">d", x)

    seeds = {
        "resize_chain": u(40) + u(30) + u(1) + u(9) + u(0) + u(17) + u(11) + u(1) + u(0) + u(50) + u(60) + u(2),
        "warp_rotate": u(32) + u(24) + u(2) + u(3) + u(2) + f(0.8) + f(-0.6) + f(10) + f(0.6) + f(0.8) + f(-3) +
                       u(40) + u(30) + u(9),
        "warp_extreme": u(8) + u(8) + u(0) + u(1) + u(2) + f(1e300) + f(-1e300) + f(1e308) + f(-0.0) + f(5e-324) +
                        f(1e18) + u(20) + u(20) + u(0),
        "draw_all": u(60) + u(40) + u(1) + u(255) + u(4) + u(0x80000000) + u(5) + u(3) + u(1) + u(5) + u(0x7fffffff) +
                    u(3) + u(0x80000001) + u(9) + u(6) + u(20) + u(20) + u(15) + u(7) + u(2) + u(2) + u(50) + u(30) +
                    u(4),
        "crop_far": u(10) + u(10) + u(2) + u(1) + u(1) + u(0x7ffffff0) + u(0x80000000) + u(5) + u(5),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)


def main():
    cv2.setNumThreads(1)
    rng = np.random.RandomState(20261125)
    srcs = {
        "src_a": rng.randint(0, 256, size=(11, 13, 3)).astype(np.uint8),   # odd sizes, RGB
        "src_b": rng.randint(0, 256, size=(18, 24, 1)).astype(np.uint8),   # gray, divisible
        "src_c": rng.randint(0, 256, size=(18, 24, 3)).astype(np.uint8),   # RGB, divisible
        "src_d": rng.randint(0, 256, size=(9, 40, 4)).astype(np.uint8),    # RGBA, wide rows
    }
    cases = [  # (source, mode, dw, dh)
        ("src_a", "bilinear", 7, 5), ("src_a", "bilinear", 29, 23), ("src_a", "bilinear", 26, 22),
        ("src_a", "bilinear", 13, 4), ("src_a", "area", 5, 4), ("src_a", "area", 9, 10),
        ("src_a", "area", 20, 17), ("src_a", "area", 6, 20), ("src_a", "nearest", 7, 5),
        ("src_a", "nearest", 30, 19),
        ("src_b", "bilinear", 12, 9), ("src_b", "bilinear", 8, 6), ("src_b", "bilinear", 31, 7),
        ("src_b", "area", 8, 6), ("src_b", "area", 12, 9), ("src_b", "area", 6, 3), ("src_b", "area", 10, 7),
        ("src_c", "bilinear", 12, 9), ("src_c", "area", 8, 6), ("src_c", "area", 12, 9), ("src_c", "area", 11, 8),
        ("src_c", "bilinear", 37, 21),
        ("src_d", "bilinear", 17, 5), ("src_d", "area", 17, 5), ("src_d", "bilinear", 56, 11),
    ]
    out = ["/* Generated by scripts/gen_image_vectors.py with OpenCV %s (cv2.resize,"
           " cv2.cvtColor); do not edit. */" % cv2.__version__,
           "#ifndef VH_IMAGE_VECTORS_H", "#define VH_IMAGE_VECTORS_H", "#include <stdint.h>", ""]
    for name, img in srcs.items():
        out.append(carray(name, img))
    table = []
    for i, (sname, mode, dw, dh) in enumerate(cases):
        src = srcs[sname]
        arg = src[:, :, 0] if src.shape[2] == 1 else src
        res = cv2.resize(arg, (dw, dh), interpolation=INTERP[mode][1])
        out.append(carray("expect_%d" % i, res))
        table.append("    {\"%s %s %dx%d\", %d, %s, %d, %d, %d, %d, %d, expect_%d}," %
                     (sname, mode, dw, dh, INTERP[mode][0], sname, src.shape[1], src.shape[0], src.shape[2], dw, dh, i))
    # affine warps, matrix maps destination → source (WARP_INVERSE_MAP)
    warps = [("src_c", [[0.9 * np.cos(0.3), -0.9 * np.sin(0.3), 4.25], [0.9 * np.sin(0.3), 0.9 * np.cos(0.3), -3.1]], 26, 20, 17),
             ("src_b", [[1.7, 0.2, -2.5], [-0.15, 1.4, 1.75]], 15, 13, 0),
             ("src_d", [[0.5, 0.0, 0.25], [0.0, 0.5, 0.0]], 80, 18, 255)]
    wtable = []
    for i, (sname, m, dw, dh, border) in enumerate(warps):
        src = srcs[sname]
        arg = src[:, :, 0] if src.shape[2] == 1 else src
        res = cv2.warpAffine(arg, np.array(m, np.float64), (dw, dh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=(border,) * 4)
        out.append(carray("warp_expect_%d" % i, res))
        wtable.append("    {%s, %d, %d, %d, {%s}, %d, %d, %d, warp_expect_%d}," % (
            sname, src.shape[1], src.shape[0], src.shape[2], ", ".join(repr(float(v)) for v in np.array(m).reshape(-1)),
            dw, dh, border, i))
    out.append("typedef struct vh_warp_vec {\n    const uint8_t *src;\n    int sw, sh, c;\n    double m[6];\n"
               "    int dw, dh, border;\n    const uint8_t *expect;\n} vh_warp_vec;\n")
    out.append("static const vh_warp_vec warp_vectors[] = {\n%s\n};\n" % "\n".join(wtable))
    gray_a = cv2.cvtColor(srcs["src_a"], cv2.COLOR_RGB2GRAY)
    gray_c = cv2.cvtColor(srcs["src_c"], cv2.COLOR_RGB2GRAY)
    out.append(carray("gray_a", gray_a))
    out.append(carray("gray_c", gray_c))
    out.append("typedef struct vh_resize_vec {\n    const char *name;\n    int interp;\n    const uint8_t *src;\n"
               "    int sw, sh, c, dw, dh;\n    const uint8_t *expect;\n} vh_resize_vec;\n")
    out.append("static const vh_resize_vec resize_vectors[] = {\n%s\n};\n" % "\n".join(table))
    out.append("#endif")
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    write_corpus(root)
    write_ops_corpus(root)
    path = os.path.join(root, "tests", "data", "image_vectors.h")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote", os.path.normpath(path), file=sys.stderr)


if __name__ == "__main__":
    main()
