#!/usr/bin/env python3
"""NumPy peer for bench/voice/features_bench.c: the same 16 kHz front end
(log-mel: n_fft 512, 400-sample periodic Hann, hop 160, centred reflect, 80
Slaney mels to 8 kHz, power_to_db top_db 80; MFCC: orthonormal DCT-II, 20;
YIN: fmin 65, fmax 500, threshold 0.15, silence gate -60 dB re the peak sample, 10 ms hop),
vectorised over frames. librosa is not installable here, so this stands in for
it (librosa's own melspectrogram is the same NumPy rfft + matmul pipeline).

Input: raw little-endian float32 mono 16 kHz files (the run script converts).
Prints one line like the C program: CPU time of this thread (best of REPS).
Usage: features_numpy.py REPS FILE.f32...
"""
import sys
import time

import numpy as np

SR, NFFT, WIN, HOP, NMELS, NMFCC = 16000, 512, 400, 160, 80, 20
FMIN, FMAX, THR, SIL_DB = 65.0, 500.0, 0.15, -60.0


def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    lin = f / (200.0 / 3)
    return np.where(f >= 1000, 15 + np.log(np.maximum(f, 1e-9) / 1000) / (np.log(6.4) / 27), lin)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    return np.where(m >= 15, 1000 * np.exp(np.log(6.4) / 27 * (m - 15)), m * 200.0 / 3)


def mel_bank():
    fft_f = np.linspace(0, SR / 2, NFFT // 2 + 1)
    mf = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(8000.0), NMELS + 2))
    lower = (fft_f[None, :] - mf[:-2, None]) / (mf[1:-1] - mf[:-2])[:, None]
    upper = (mf[2:, None] - fft_f[None, :]) / (mf[2:] - mf[1:-1])[:, None]
    w = np.maximum(0, np.minimum(lower, upper)) * (2.0 / (mf[2:] - mf[:-2]))[:, None]
    return w.astype(np.float32)


def dct_mat():
    k = np.arange(NMFCC)[:, None]
    j = np.arange(NMELS)[None, :]
    c = np.cos(np.pi * k * (2 * j + 1) / (2 * NMELS)) * np.sqrt(2.0 / NMELS)
    c[0] /= np.sqrt(2.0)
    return c.astype(np.float32)


MEL, DCT = mel_bank(), dct_mat()
WINDOW = np.zeros(NFFT)
WINDOW[(NFFT - WIN) // 2:(NFFT - WIN) // 2 + WIN] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)


def frames_of(x, length, hop, n_frames):
    return np.lib.stride_tricks.as_strided(x, shape=(n_frames, length), strides=(x.strides[0] * hop, x.strides[0]))


def logmel(x):
    xp = np.pad(x.astype(np.float64), NFFT // 2, mode="reflect")
    nf = 1 + len(x) // HOP
    S = np.abs(np.fft.rfft(frames_of(xp, NFFT, HOP, nf) * WINDOW, axis=1)) ** 2
    M = S.astype(np.float32) @ MEL.T
    d = 10 * np.log10(np.maximum(M, 1e-10))
    return np.maximum(d, d.max() - 80.0)


def yin(x):
    tmin, tmax = int(np.floor(SR / FMAX)), int(np.ceil(SR / FMIN))
    W = tmax
    L = W + tmax + 2
    N = 1 << int(np.ceil(np.log2(L)))
    nf = 1 + len(x) // HOP
    xp = np.pad(x.astype(np.float64), (L // 2, L), mode="constant")
    F = frames_of(xp, L, HOP, nf)
    A = np.fft.rfft(F, N, axis=1)
    B = np.fft.rfft(F[:, :W], N, axis=1)
    r = np.fft.irfft(A * np.conj(B), N, axis=1)[:, :tmax + 2]
    cum = np.concatenate([np.zeros((nf, 1)), np.cumsum(F * F, axis=1)], axis=1)
    e0 = cum[:, W]
    tau = np.arange(tmax + 2)
    et = cum[:, tau + W] - cum[:, tau]
    d = np.maximum(e0[:, None] + et - 2 * r, 0)
    d[:, 0] = 0
    run = np.cumsum(d[:, 1:], axis=1)
    dn = np.ones_like(d)
    with np.errstate(invalid="ignore", divide="ignore"):
        dn[:, 1:] = np.where(run > 0, d[:, 1:] * tau[1:] / run, 1.0)
    c0 = (L - W) // 2
    rms_db = 10 * np.log10(np.sum(F[:, c0:c0 + W] ** 2, axis=1) / W + 1e-20)
    below = dn[:, tmin:tmax + 1] < THR
    has = below.any(axis=1)
    t = tmin + np.argmax(below, axis=1)
    rows = np.arange(nf)
    for _ in range(tmax):  # walk to the local minimum
        nxt = np.minimum(t + 1, tmax)
        move = has & (nxt > t) & (dn[rows, nxt] < dn[rows, t])
        if not move.any():
            break
        t = np.where(move, nxt, t)
    a, b, c = d[rows, t - 1], d[rows, t], d[rows, t + 1]
    den = a - 2 * b + c
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.where(den > 0, 0.5 * (a - c) / den, 0.0)
    off = np.where(np.abs(off) < 1, off, 0.0)
    f0 = SR / (t + off)
    peak_db = 20 * np.log10(max(float(np.max(np.abs(x))) if len(x) else 0.0, 1e-10))
    ok = has & (e0 > 0) & (rms_db >= peak_db + SIL_DB) & (f0 >= FMIN * 0.97) & (f0 <= FMAX * 1.03)
    return np.where(ok, f0, 0.0)


def main():
    reps = int(sys.argv[1])
    xs = [np.fromfile(p, dtype="<f4") for p in sys.argv[2:]]
    secs = sum(len(x) for x in xs) / SR
    best = None
    for rep in range(reps):
        tm = tc = tp = 0.0
        lm_sum = lm_n = f0_sum = f0_n = fr = 0
        for x in xs:
            t0 = time.thread_time()
            L = logmel(x)
            t1 = time.thread_time()
            C = L @ DCT.T
            t2 = time.thread_time()
            f0 = yin(x)
            t3 = time.thread_time()
            tm, tc, tp = tm + t1 - t0, tc + t2 - t1, tp + t3 - t2
            lm_sum += float(L.sum()); lm_n += L.size
            f0_sum += float(f0[f0 > 0].sum()); f0_n += int((f0 > 0).sum()); fr += len(f0)
            assert C.shape == (L.shape[0], NMFCC)
        tot = tm + tc + tp
        if best is None or tot < best[0]:
            best = (tot, tm, tc, tp)
    tot, tm, tc, tp = best
    print("NumPy files %d audio_s %.2f cpu_s %.4f realtime_x %.0f | logmel %.4f mfcc %.4f pitch %.4f | "
          "mean_logmel_db %.3f voiced %.3f mean_f0 %.2f" % (len(xs), secs, tot, secs / tot, tm, tc, tp,
                                                             lm_sum / lm_n, f0_n / fr, f0_sum / f0_n))


if __name__ == "__main__":
    main()
