#!/usr/bin/python3
"""Writes tests/data/nn_torch_vectors.bin: PyTorch reference values for the nn
engine's parity test (tests/test_nn_torch.c). Needs Debian's python3-torch
(1.13); CI does not run this script, the output file is committed.

Networks (fixed seeds, float32, CPU):
  cnn  conv1(1->4, 3x3, pad 1, no bias) + bn1 + ReLU + maxpool 2
       + conv2(4->6, 3x3, pad 1, groups 2) + ReLU + avgpool 2 + flatten
       + fc(6*2*2 -> 5); loss = cross-entropy with soft targets and label
       smoothing 0.1. Values: train-mode logits, loss, gradients of conv1/conv2/
       fc weights and of the input, bn1 running stats after that step, then
       eval-mode logits.
  lstm bidirectional LSTM (3 -> 4) over [3, 5, 3] with lengths 5, 2, 4 (packed
       sequences): padded outputs, h_n, MSE loss against a random target and
       the weight/input gradients of that loss.
  gru  the same with a GRU.

File layout (little-endian): "VHTV", u32 version (1), u32 record count, then
per record: u32 name length, name bytes (no NUL), u32 ndim, u32 dims[ndim],
float32 data[prod(dims)]. Names are PyTorch state_dict names prefixed by the
network ("cnn.conv1.weight") or "<net>.in.<what>" / "<net>.out.<what>" /
"<net>.grad.<param>".
"""
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(20241125)
torch.set_num_threads(1)
records = []


def put(name, t):
    t = t.detach().to(torch.float32).contiguous()
    records.append((name, list(t.shape), t.reshape(-1).tolist()))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1, groups=2)
        self.fc = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(torch.flatten(x, 1))


cnn = Cnn()
with torch.no_grad():  # non-trivial BN affine parameters and running stats
    cnn.bn1.weight.uniform_(0.5, 1.5)
    cnn.bn1.bias.uniform_(-0.5, 0.5)
    cnn.bn1.running_mean.uniform_(-0.2, 0.2)
    cnn.bn1.running_var.uniform_(0.5, 1.5)
for k, v in cnn.state_dict().items():
    if k.endswith("num_batches_tracked"):
        continue
    put("cnn." + k, v)
x = torch.randn(3, 1, 8, 8, requires_grad=True)
target = torch.softmax(torch.randn(3, 5) * 2, dim=1)
put("cnn.in.x", x)
put("cnn.in.target", target)
cnn.train()
logits = cnn(x)
loss = F.cross_entropy(logits, target, label_smoothing=0.1)
loss.backward()
put("cnn.out.logits_train", logits)
put("cnn.out.loss", loss.reshape(1))
for name in ("conv1.weight", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias", "bn1.weight", "bn1.bias"):
    put("cnn.grad." + name, dict(cnn.named_parameters())[name].grad)
put("cnn.grad.x", x.grad)
put("cnn.out.running_mean", cnn.bn1.running_mean)
put("cnn.out.running_var", cnn.bn1.running_var)
cnn.eval()
with torch.no_grad():
    put("cnn.out.logits_eval", cnn(x))


def rnn_vectors(tag, cls):
    m = cls(3, 4, batch_first=True, bidirectional=True)
    for k, v in m.state_dict().items():
        put(tag + "." + k, v)
    xs = torch.randn(3, 5, 3)
    lengths = torch.tensor([5, 2, 4])
    xs[1, 2:] = 0  # padding content must not matter; keep it zero here
    xs[2, 4:] = 0
    xs.requires_grad_(True)
    put(tag + ".in.x", xs)
    put(tag + ".in.lengths", lengths.to(torch.float32))
    packed = nn.utils.rnn.pack_padded_sequence(xs, lengths, batch_first=True, enforce_sorted=False)
    out, hidden = m(packed)
    h_n = hidden[0] if isinstance(hidden, tuple) else hidden
    out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=5)
    tgt = torch.randn(3, 5, 8)
    put(tag + ".in.target", tgt)
    loss = F.mse_loss(out, tgt)
    loss.backward()
    put(tag + ".out.seq", out)
    put(tag + ".out.last", torch.cat([h_n[0], h_n[1]], dim=1))
    put(tag + ".out.loss", loss.reshape(1))
    for k, p in m.named_parameters():
        put(tag + ".grad." + k, p.grad)
    put(tag + ".grad.x", xs.grad)


rnn_vectors("lstm", nn.LSTM)
rnn_vectors("gru", nn.GRU)

out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/nn_torch_vectors.bin"
with open(out, "wb") as f:
    f.write(b"VHTV" + struct.pack("<II", 1, len(records)))
    for name, dims, data in records:
        nb = name.encode()
        f.write(struct.pack("<I", len(nb)) + nb + struct.pack("<I", len(dims)))
        f.write(struct.pack("<%dI" % len(dims), *dims))
        f.write(struct.pack("<%df" % len(data), *data))
print("wrote %s: %d records (torch %s)" % (out, len(records), torch.__version__))
