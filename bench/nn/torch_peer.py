#!/usr/bin/python3
"""PyTorch 1.13 CPU peer of bench_nn.c: the same fer-fast CNN, batch 64 training
step (forward + backward + Adam) and eval-mode inference at batch 64 and 1.
usage: torch_peer.py THREADS REPS"""
import statistics
import sys
import time

import torch
import torch.nn as nn

threads, reps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(1)


def stage(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]


net = nn.Sequential(*stage(1, 32), *stage(32, 64), *stage(64, 128), *stage(128, 256),
                    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.3), nn.Linear(256, 8))
x = torch.rand(64, 1, 48, 48)
y = torch.randint(0, 8, (64,))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
net.train()


def step():
    opt.zero_grad(set_to_none=True)
    loss = lossf(net(x), y)
    loss.backward()
    opt.step()


for _ in range(2):
    step()
t0 = time.perf_counter()
tf = 0.0
for _ in range(reps):
    a = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = lossf(net(x), y)
    tf += time.perf_counter() - a
    loss.backward()
    opt.step()
dt = time.perf_counter() - t0
print("threads %d" % torch.get_num_threads())
print("train_ips %.1f" % (64 * reps / dt))
print("train_fwd_ms %.2f" % (1e3 * tf / reps))
print("train_bwd_ms %.2f" % (1e3 * (dt - tf) / reps))
net.eval()
with torch.no_grad():
    net(x)
    t0 = time.perf_counter()
    for _ in range(reps):
        net(x)
    print("infer64_ips %.1f" % (64 * reps / (time.perf_counter() - t0)))
    x1 = x[:1].contiguous()
    for _ in range(5):
        net(x1)
    lat = []
    for _ in range(reps * 20):
        a = time.perf_counter()
        net(x1)
        lat.append(time.perf_counter() - a)
    print("infer1_ms %.3f" % (1e3 * statistics.median(lat)))
