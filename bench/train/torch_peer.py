#!/usr/bin/env python3
"""PyTorch 1.13 CPU side of bench/train: the same fer-fast network (4 x [conv3x3
no-bias + BN + ReLU + maxpool2], global average pool, dropout 0.3, linear 8),
AdamW, batch assembly with a random shift (pad 4) and horizontal flip, soft-target
cross-entropy; then single-face (1x1x48x48) eval latency.
usage: torch_peer.py ARCH IMAGES EPOCHS BATCH REPS THREADS
prints "train_ips X" and "latency_ms X" lines."""
import sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

arch, n, epochs, batch, reps, threads = sys.argv[1], *map(int, sys.argv[2:7])
torch.set_num_threads(threads)
torch.manual_seed(1)
if arch != "fer-fast":
    sys.exit("torch peer implements fer-fast only")

def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]

w = 32
model = nn.Sequential(*block(1, w), *block(w, 2 * w), *block(2 * w, 4 * w), *block(4 * w, 8 * w),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(8 * w, 8))
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=5e-4)
pix = torch.randint(0, 256, (n, 1, 48, 48), dtype=torch.uint8)
lab = torch.arange(n) % 8
soft = F.one_hot(lab, 8).float()

def make_batch(idx):
    x = (pix[idx].float() / 255 - 0.5) / 0.25
    x = F.pad(x, (4, 4, 4, 4))
    dx, dy = torch.randint(0, 9, (2,))
    x = x[:, :, dy:dy + 48, dx:dx + 48]
    flip = torch.rand(len(idx)) < 0.5
    x[flip] = x[flip].flip(3)
    return x.contiguous(), soft[idx]

model.train()
steps = n // batch
t0 = time.perf_counter()
for e in range(epochs):
    perm = torch.randperm(n)
    for s in range(steps):
        x, y = make_batch(perm[s * batch:(s + 1) * batch])
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
dt = time.perf_counter() - t0
print("train_ips %.1f" % (steps * batch * epochs / dt))
model.eval()
x1 = (pix[:1].float() / 255 - 0.5) / 0.25
ts = []
with torch.no_grad():
    for i in range(5):
        F.softmax(model(x1), 1)
    for i in range(reps):
        t = time.perf_counter()
        F.softmax(model(x1), 1)
        ts.append((time.perf_counter() - t) * 1e3)
ts.sort()
print("latency_ms %.4f" % ts[reps // 2])
print("params %d" % sum(p.numel() for p in model.parameters()))
