#!/usr/bin/python3
"""Reference boxes from OpenCV 4.6 (python3-opencv) for tests/test_face_data.c.

Runs cv2.CascadeClassifier(haarcascade_frontalface_alt.xml).detectMultiScale on
the gray versions (cv2.cvtColor BGR2GRAY) of ../shared/data/faces/dlib_examples/*.jpg
and of a few GRID video frames (decoded with cv2.VideoCapture and stored as gray
PNG in tests/data/detect_grid_*.png, so the C test reads the very same pixels),
with fixed parameter sets, and writes tests/data/detect_opencv_boxes.json and
tests/data/detect_resize_ref.h (golden INTER_LINEAR_EXACT resizes).

usage: scripts/gen_opencv_boxes.py [DATA_DIR] [CASCADE]
Only needed to regenerate the committed JSON; CI does not need OpenCV.
"""
import glob, json, os, sys
import cv2

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VERHM_DATA", os.path.join(root, "..", "shared", "data"))
cascade = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt.xml"
outdir = os.path.join(root, "tests", "data")
# (name, scaleFactor, minNeighbors, minSize): OpenCV's defaults, the prototype's
# faster call (1.3, 5), and raw hits (minNeighbors 0) to check every window.
PARAMS = [("default", 1.1, 3, 0), ("proto", 1.3, 5, 30), ("raw", 1.1, 0, 0)]
GRID = [("bbaf2n.mpg", 10), ("lrwp9a.mpg", 40), ("swiz3n.mpg", 70)]

cv2.setNumThreads(1)
clf = cv2.CascadeClassifier(cascade)
assert not clf.empty(), cascade

images = []
for p in sorted(glob.glob(os.path.join(data, "faces", "dlib_examples", "*.jpg"))):
    images.append(("faces/dlib_examples/" + os.path.basename(p), cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2GRAY)))
for clip, idx in GRID:
    cap = cv2.VideoCapture(os.path.join(data, "video", "grid", clip))
    frame = None
    for _ in range(idx + 1):
        ok, frame = cap.read()
        assert ok, clip
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    name = "detect_grid_%s_%03d.png" % (clip.split(".")[0], idx)
    cv2.imwrite(os.path.join(outdir, name), gray, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    images.append(("tests/data/" + name, gray))

out = {"opencv": cv2.__version__, "cascade": os.path.basename(cascade),
       "params": [{"name": n, "scale": s, "neighbors": k, "min_size": m} for n, s, k, m in PARAMS],
       "images": []}
for name, gray in images:
    entry = {"file": name, "w": gray.shape[1], "h": gray.shape[0]}
    for pname, s, k, m in PARAMS:
        r = clf.detectMultiScale(gray, scaleFactor=s, minNeighbors=k, minSize=(m, m))
        boxes = sorted([[int(v) for v in b] for b in r], key=lambda b: (b[1], b[0], b[2], b[3]))
        if pname == "raw":
            entry["raw_count"] = len(boxes)
        else:
            entry[pname] = boxes
    out["images"].append(entry)
    print(name, len(entry["default"]), "faces", entry["raw_count"], "raw hits", file=sys.stderr)

# Golden outputs of the pyramid's resize (INTER_LINEAR_EXACT) for tests/test_face.c.
import numpy as np
pat = np.array([[((x * 7 + y * 13) ^ (x * y)) & 255 for x in range(37)] for y in range(29)], dtype=np.uint8)
with open(os.path.join(outdir, "detect_resize_ref.h"), "w") as f:
    f.write("/* Generated with python3-opencv 4.6: cv2.resize(src, (w, h), interpolation=cv2.INTER_LINEAR_EXACT)\n"
            " * of the 37x29 test pattern src(x, y) = ((7x + 13y) ^ (x*y)) & 255 (see tests/test_face.c). */\n")
    f.write("static const struct { int w, h; const unsigned char *px; } detect_resize_ref[] = {\n")
    for dw, dh in [(20, 15), (33, 26), (5, 4), (36, 29)]:
        r = cv2.resize(pat, (dw, dh), interpolation=cv2.INTER_LINEAR_EXACT)
        f.write("  {%d, %d, (const unsigned char[]){%s}},\n" % (dw, dh, ",".join(str(int(v)) for v in r.flatten())))
    f.write("};\n")

with open(os.path.join(outdir, "detect_opencv_boxes.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
