# Compares verhm's lip-sync engines on speech whose phones are known: Festival
# (Debian festival + festvox-kallpc16k) speaks sentences rich in p/b/m and saves
# its own segment timings; `verhm animate --csv` animates each with
# --engine phonemes and --engine learned. For every bilabial segment we check
# whether the lips close on the posed ICT mesh during it (±40 ms): the lip gap
# (smallest distance between upper- and lower-lip vertices near the midline)
# must fall below the neutral face's gap + 1 mm. Also reports how often lips
# are (wrongly) closed in the middle of open vowels (aa, ae, ao, aw, ay).
#   /usr/bin/python3 compare_engines.py VERHM MODEL DATA_DIR WORKDIR [SET]
# SET 1 (default) is the set the phoneme engine was checked on while it was
# tuned; SET 2 are sentences it never saw (the unbiased figure).
import csv
import os
import subprocess
import sys

import numpy as np

verhm, model, data, work = sys.argv[1:5]
SET = int(sys.argv[5]) if len(sys.argv) > 5 else 1
SENTENCES1 = [
    "Bob bought a big map, maybe more maps for Pam.",
    "My mom put the box by the bamboo lamp.",
    "Please bring me a bottle of milk and some plums.",
    "The boy bumped the bus with a purple umbrella.",
    "Mark, pass the paper map to Barbara before Monday.",
    "A humble baker made the best buns in Bombay.",
]
SENTENCES2 = [
    "Maybe Pete will bake a plum pie for my mother.",
    "The member of the public paid for a map of Boston.",
    "Bring both pumpkins up the steep path, Emily.",
    "Sam combed his beard and put on a blue cap.",
    "Every morning Ben buys bread, ham and apples.",
    "Pamela mailed a postcard from Bermuda in May.",
]
SENTENCES = SENTENCES1 if SET == 1 else SENTENCES2
# ICT mesh: neutral vertices and the 52 ARKit offsets (cm).
verts = []
with open(os.path.join(data, "face3d/ict/neutral.obj")) as f:
    for line in f:
        if line.startswith("v "):
            verts.append([float(x) for x in line.split()[1:4]])
neutral = np.array(verts, np.float32)
shapes = np.load(os.path.join(data, "face3d/ict/blendshapes.npy")).astype(np.float32)
names = [l.strip() for l in open(os.path.join(data, "face3d/ict/blendshapes.txt")) if l.strip()]
idx = {n: i for i, n in enumerate(names)}
# Lip vertices (as verhm's LVE): skin (0..9408) moved > 2.5 mm by funnel+pucker+rolls, near the midline.
mag = sum(np.linalg.norm(shapes[idx[n]], axis=1) for n in ("mouthFunnel", "mouthPucker", "mouthRollLower", "mouthRollUpper"))
lip = np.where((mag > 0.25) & (np.arange(len(neutral)) <= 9408))[0]
cx = np.median(neutral[lip, 0])
lip = lip[np.abs(neutral[lip, 0] - cx) < 0.6]
# Split by how jawOpen moves them: the lower lip follows the jaw.
jd = -shapes[idx["jawOpen"]][lip, 1]
lower = lip[jd > 0.5 * jd.max()]
upper = lip[jd < 0.15 * jd.max()]
sub = shapes[:, np.concatenate([upper, lower]), :]
base = neutral[np.concatenate([upper, lower])]
nu = len(upper)

def gap(w):
    p = base + np.tensordot(w, sub, axes=1)
    d = np.linalg.norm(p[:nu, None, :] - p[None, nu:, :], axis=2)
    return d.min() * 10.0  # mm

g0 = gap(np.zeros(len(names), np.float32))
BILAB = {"p", "b", "m"}
OPEN = {"aa", "ae", "ao", "aw", "ay"}
res = {}
for engine in ("phonemes", "learned"):
    hit = tot = vopen = vtot = 0
    for i, s in enumerate(SENTENCES):
        wav, segs, out = (os.path.join(work, f"set{SET}_s{i}.{e}") for e in ("wav", "segs", engine + ".csv"))
        if not os.path.exists(wav):
            scm = os.path.join(work, f"set{SET}_s{i}.scm")
            with open(scm, "w") as f:
                f.write(f'(set! utt (Utterance Text "{s}"))\n(utt.synth utt)\n'
                        f'(utt.save.wave utt "{wav}" \'riff)\n(utt.save.segs utt "{segs}")\n')
            subprocess.run(["festival", "-b", scm], check=True)
        cmd = [verhm, "animate", wav, "--no-video", "--csv", out, "--force", "--emotion", "neutral", "--engine", engine]
        if engine == "learned":
            cmd += ["--model", model]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        rows = list(csv.reader(open(out)))
        hdr = rows[0][2:]
        W = np.array([[float(x) for x in r[2:]] for r in rows[1:]], np.float32)
        order = [hdr.index(n) for n in names]
        W = W[:, order]
        gaps = np.array([gap(w) for w in W])
        seg = []
        prev = 0.0
        for line in open(segs):
            p = line.split()
            if len(p) == 3 and p[0] != "#":
                seg.append((prev, float(p[0]), p[2]))
                prev = float(p[0])
        for a, b, ph in seg:
            f0, f1 = int(np.floor((a - 0.04) * 30)), int(np.ceil((b + 0.04) * 30))
            f0, f1 = max(f0, 0), min(f1, len(gaps) - 1)
            if f1 < f0:
                continue
            if ph in BILAB:
                tot += 1
                hit += gaps[f0:f1 + 1].min() < g0 + 1.0
            if ph in OPEN:
                mid = int(round((a + b) / 2 * 30))
                if 0 <= mid < len(gaps):
                    vtot += 1
                    vopen += gaps[mid] > g0 + 3.0
    res[engine] = (hit, tot, vopen, vtot)
print(f"sentence set {SET}; neutral lip gap {g0:.2f} mm; lip vertices upper {len(upper)}, lower {len(lower)}")
for e, (h, t, vo, vt) in res.items():
    print(f"{e:9s} bilabial closure {h}/{t} = {h / max(t, 1):.2f}   open vowels with lips apart (> neutral+3 mm) {vo}/{vt} = {vo / max(vt, 1):.2f}")
