#!/usr/bin/python3
"""OpenCV side of bench/detect: same gray PNGs, cascade and parameters;
best time per pass with 1 thread and with all threads; writes the boxes.
usage: cv_detect.py prepare DATA OUTDIR LIST
       cv_detect.py run CASCADE LIST REPS OUT_BOXES SCALE NEIGHBORS"""
import glob, os, sys, time
import cv2

if sys.argv[1] == "prepare":
    data, outdir, listfile = sys.argv[2:5]
    paths = []
    for p in sorted(glob.glob(os.path.join(data, "faces", "dlib_examples", "*.jpg"))):
        q = os.path.join(outdir, os.path.basename(p)[:-4] + ".png")
        cv2.imwrite(q, cv2.cvtColor(cv2.imread(p), cv2.COLOR_BGR2GRAY))
        paths.append(q)
    for clip in sorted(glob.glob(os.path.join(data, "video", "grid", "*.mpg"))):
        cap = cv2.VideoCapture(clip)
        for i in range(31):
            ok, frame = cap.read()
        q = os.path.join(outdir, "grid_" + os.path.basename(clip)[:-4] + ".png")
        cv2.imwrite(q, cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
        paths.append(q)
    open(listfile, "w").write("\n".join(paths) + "\n")
    sys.exit(0)

cascade, listfile, reps, outfile, scale, neighbors = sys.argv[2:8]
reps, scale, neighbors = int(reps), float(scale), int(neighbors)
clf = cv2.CascadeClassifier(cascade)
names = [l.strip() for l in open(listfile) if l.strip()]
imgs = [cv2.imread(n, cv2.IMREAD_GRAYSCALE) for n in names]
ncpu = cv2.getNumberOfCPUs()
with open(outfile, "w") as out:
    for threads in (1, ncpu):
        cv2.setNumThreads(threads)
        best, best_cpu, faces = 1e30, 1e30, 0
        for r in range(reps + 1):
            t0, c0 = time.perf_counter(), time.process_time()
            res = [clf.detectMultiScale(im, scaleFactor=scale, minNeighbors=neighbors) for im in imgs]
            t, ct = time.perf_counter() - t0, time.process_time() - c0
            if r > 0:
                best, best_cpu = min(best, t), min(best_cpu, ct)
            if r == 0 and threads == 1:
                for n, rr in zip(names, res):
                    for b in rr:
                        out.write("%s %d %d %d %d\n" % (n, *b))
            faces = sum(len(rr) for rr in res)
        print("opencv threads=%d: %.2f ms wall, %.2f ms cpu per pass over %d images (%d faces), best of %d" % (threads, best * 1e3, best_cpu * 1e3, len(imgs), faces, reps))
