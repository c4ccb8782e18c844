#!/usr/bin/env python3
"""Reference vectors for verhm's librosa-compatible front end (tests/test_dsp_librosa.c).

librosa itself is not installable here (no PyPI), so this is a small, independent
NumPy implementation of the formulas librosa 0.8 documents for
  librosa.stft(center=True, pad_mode='reflect', window='hann')      (periodic Hann)
  librosa.filters.mel(htk=False|True, norm='slaney')                (Slaney scale / area norm)
  librosa.feature.melspectrogram(power=2.0)
  librosa.power_to_db(ref=1.0, amin=1e-10, top_db=80.0)            (clip vs the global max)
  librosa.feature.mfcc(n_mfcc=20, dct_type=2, norm='ortho')
  librosa.feature.delta(width=9, order=1|2, mode='interp')          (Savitzky-Golay)
computed in float64 (the mel weights are rounded to float32 as librosa stores
them). When SciPy is present, the DCT and the deltas are cross-checked against
scipy.fftpack.dct and scipy.signal.savgol_filter.

Signals (stored in the file as 16-bit PCM so C and Python see identical input):
  chirp     22050 Hz, 0.6 s, logarithmic sweep 60 Hz -> 9 kHz, amplitude 0.5
  tones     22050 Hz, 0.6 s, 440 Hz + 1250 Hz + white noise (numpy seed 1234)
  speech    22050 Hz, espeak-ng "The quick brown fox jumps over the lazy dog"
            (espeak-ng writes 22050 Hz), first 1.0 s
  speech16  the same utterance resampled to 16 kHz (FFT resampling) for the
            16 kHz speech mode (n_fft 512, win 400, hop 160, 80 mels, fmax 8000)

Output: tests/data/dsp_librosa_vectors.bin, records of
  name (32 bytes, NUL padded) | kind u32 (0 = int16 signal, 1 = float32 matrix)
  | sr u32 | rows u32 | cols u32 | data (little-endian)
after the 8-byte magic b"VHDSPV1\\0". Matrices are frames x coefficients.

Run: python3 scripts/gen_librosa_vectors.py [OUT]   (needs numpy and espeak-ng)
"""
import os
import struct
import subprocess
import sys
import tempfile
import wave

import numpy as np


def hz_to_mel(f, htk):
    f = np.asarray(f, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-12) / min_log_hz) / logstep, mels)


def mel_to_hz(m, htk):
    m = np.asarray(m, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filters(sr, n_fft, n_mels, fmin, fmax, htk):
    fft_f = np.linspace(0, sr / 2.0, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels + 2), htk)
    w = np.zeros((n_mels, len(fft_f)))
    for i in range(n_mels):
        lower = (fft_f - mel_f[i]) / (mel_f[i + 1] - mel_f[i])
        upper = (mel_f[i + 2] - fft_f) / (mel_f[i + 2] - mel_f[i + 1])
        w[i] = np.maximum(0.0, np.minimum(lower, upper))
    w *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    return w.astype(np.float32).astype(np.float64)


def hann_periodic(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


def power_spec(y, n_fft, hop, win):
    w = np.zeros(n_fft)
    off = (n_fft - win) // 2
    w[off:off + win] = hann_periodic(win)
    yp = np.pad(y, n_fft // 2, mode="reflect")
    frames = 1 + (len(yp) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    X = np.fft.rfft(yp[idx] * w[None, :], axis=1)
    return np.abs(X) ** 2  # frames x bins


def power_to_db(S, ref=1.0, amin=1e-10, top_db=80.0):
    d = 10.0 * np.log10(np.maximum(amin, S)) - 10.0 * np.log10(max(amin, ref))
    return np.maximum(d, d.max() - top_db)


def dct2_ortho(x):  # along the last axis
    n = x.shape[-1]
    k = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    c = np.cos(np.pi * k * (2 * j + 1) / (2 * n)) * np.sqrt(2.0 / n)
    c[0] *= np.sqrt(0.5)
    return x @ c.T


def delta(x, width, order):  # along axis 0 (frames)
    h = width // 2
    k = np.arange(-h, h + 1, dtype=np.float64)
    if order == 1:
        c = k / np.sum(k * k)
    else:
        v = k * k - np.mean(k * k)
        c = 2.0 * v / np.sum(v * v)
    T = x.shape[0]
    out = np.empty_like(x)
    for t in range(T):
        ct = min(max(t, h), T - 1 - h)
        out[t] = c @ x[ct - h:ct + h + 1]
    return out


def features(y, sr, n_fft, hop, win, n_mels, fmax, htk=False, n_mfcc=20):
    S = power_spec(y, n_fft, hop, win)
    M = S @ mel_filters(sr, n_fft, n_mels, 0.0, fmax, htk).T
    L = power_to_db(M)
    return L, dct2_ortho(L)[:, :n_mfcc]


def pcm16(x):
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def espeak(text):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "s.wav")
        subprocess.run(["espeak-ng", "-w", p, text], check=True)
        with wave.open(p) as w:
            assert w.getsampwidth() == 2 and w.getnchannels() == 1
            sr = w.getframerate()
            y = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return y.astype(np.int16), sr


def fft_resample(x, sr_in, sr_out):
    n_out = int(round(len(x) * sr_out / sr_in))
    X = np.fft.rfft(x)
    nb = n_out // 2 + 1
    Y = np.zeros(nb, dtype=complex)
    m = min(nb, len(X))
    Y[:m] = X[:m]
    return np.fft.irfft(Y, n_out) * (n_out / len(x))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                             "dsp_librosa_vectors.bin")
    sr = 22050
    t = np.arange(int(0.6 * sr)) / sr
    f0, f1 = 60.0, 9000.0
    chirp = 0.5 * np.sin(2 * np.pi * f0 * (np.power(f1 / f0, t) - 1) / np.log(f1 / f0))
    rng = np.random.RandomState(1234)
    tones = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t + 0.5) + 0.05 * rng.randn(len(t))
    sp, esr = espeak("The quick brown fox jumps over the lazy dog")
    assert esr == sr, esr
    sp = sp[: int(1.0 * sr)]
    sp16 = pcm16(fft_resample(sp.astype(np.float64) / 32768.0, sr, 16000))

    recs = []
    def sig(name, rate, x16):
        recs.append((name, 0, rate, 1, len(x16), x16.astype("<i2").tobytes()))
        return x16.astype(np.float64) / 32768.0
    def mat(name, rate, m):
        m = np.asarray(m, dtype="<f4")
        recs.append((name, 1, rate, m.shape[0], m.shape[1], m.tobytes()))

    checks = []
    for name, x in (("chirp", pcm16(chirp)), ("tones", pcm16(tones)), ("speech", sp)):
        y = sig(name, sr, x)
        L, C = features(y, sr, 2048, 512, 2048, 128, sr / 2.0)
        mat(name + ".logmel", sr, L)
        mat(name + ".mfcc", sr, C)
        if name == "speech":
            mat(name + ".delta1", sr, delta(C, 9, 1))
            mat(name + ".delta2", sr, delta(C, 9, 2))
            checks.append(C)
        if name == "chirp":
            Lh, _ = features(y, sr, 2048, 512, 2048, 128, sr / 2.0, htk=True)
            mat(name + ".logmel_htk", sr, Lh)
    y16 = sig("speech16", 16000, sp16)
    L, C = features(y16, 16000, 512, 160, 400, 80, 8000.0)
    mat("speech16.logmel", 16000, L)
    mat("speech16.mfcc", 16000, C)

    try:  # independent cross-check of the DCT and the Savitzky-Golay deltas
        import scipy.fftpack
        import scipy.signal
        C = checks[0]
        M = features(sp.astype(np.float64) / 32768.0, sr, 2048, 512, 2048, 128, sr / 2.0)[0]
        assert np.allclose(scipy.fftpack.dct(M, type=2, norm="ortho", axis=1)[:, :20], C, atol=1e-9)
        for order in (1, 2):
            ref = scipy.signal.savgol_filter(C, 9, order, deriv=order, axis=0, mode="interp")
            assert np.allclose(ref, delta(C, 9, order), atol=1e-9), order
        print("cross-checked DCT and deltas against SciPy")
    except ImportError:
        print("SciPy not available: DCT/delta cross-check skipped")

    with open(out, "wb") as f:
        f.write(b"VHDSPV1\0")
        for name, kind, rate, rows, cols, data in recs:
            f.write(name.encode().ljust(32, b"\0"))
            f.write(struct.pack("<4I", kind, rate, rows, cols))
            f.write(data)
    print("wrote %s (%d bytes, %d records)" % (out, os.path.getsize(out), len(recs)))


if __name__ == "__main__":
    main()
