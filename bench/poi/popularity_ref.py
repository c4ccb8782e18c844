#!/usr/bin/env python3
"""Reference (NumPy) implementation of the leave-last-out protocol of
`verhm poi eval` for the two baselines, popularity and distance-only, to check
the C metric code. Protocol (docs/poi.md): per user the last check-in (largest
minute, later line on ties) is the test item, the rest is training; rank among
all places = 1 + #(score > s_test) + #(score == s_test and index < test index);
HR@10 = share with rank <= 10, NDCG@10 = mean 1/log2(rank+1) over rank <= 10.

usage: popularity_ref.py CHECKINS.csv POIS.csv [verhm-eval.json]
Prints the reference numbers as JSON; with the verhm JSON, also the differences
and exits 1 if any exceeds 1e-9.
"""
import json
import sys

import numpy as np


def main():
    ck_path, poi_path = sys.argv[1], sys.argv[2]
    pois = np.loadtxt(poi_path, delimiter=",", skiprows=1)
    ids = pois[:, 0].astype(np.int64)
    lat, lon = pois[:, 1], pois[:, 2]
    index = {int(i): k for k, i in enumerate(ids)}
    ck = np.loadtxt(ck_path, delimiter=",", skiprows=1, dtype=np.int64)
    user, item, minute = ck[:, 0], np.array([index[int(p)] for p in ck[:, 1]]), ck[:, 2]
    line = np.arange(len(ck))
    order = np.lexsort((line, minute, user))  # by user, minute, line
    u_sorted = user[order]
    last = np.r_[u_sorted[1:] != u_sorted[:-1], True]
    first = np.r_[True, u_sorted[1:] != u_sorted[:-1]]
    test_pos = order[last & ~first]  # users with >= 2 check-ins
    is_test = np.zeros(len(ck), bool)
    is_test[test_pos] = True
    pop = np.bincount(item[~is_test], minlength=len(ids)).astype(float)
    # previous check-in of each evaluated user = the one before the last in order
    prev_pos = order[np.nonzero(last & ~first)[0] - 1]
    n = len(ids)
    idx = np.arange(n)

    def rank(scores, t):
        st = scores[t]
        return 1 + np.count_nonzero(scores > st) + np.count_nonzero((scores == st) & (idx < t))

    r = 6371008.8
    d2r = np.pi / 180
    res = {}
    for name in ("popularity", "distance"):
        hr = nd = 0.0
        for tp, pp in zip(test_pos, prev_pos):
            t = item[tp]
            if name == "popularity":
                s = pop
            else:
                p = item[pp]
                dphi = (lat - lat[p]) * d2r
                dl = (lon - lon[p]) * d2r
                a = np.sin(dphi / 2) ** 2 + np.cos(lat[p] * d2r) * np.cos(lat * d2r) * np.sin(dl / 2) ** 2
                s = -2 * r * np.arcsin(np.sqrt(np.minimum(a, 1)))
            rk = rank(s, t)
            if rk <= 10:
                hr += 1
                nd += 1 / np.log2(rk + 1)
        res[name] = {"hr10": hr / len(test_pos), "ndcg10": nd / len(test_pos)}
    out = {"users": int(len(test_pos)), "baselines": res}
    bad = False
    if len(sys.argv) > 3:
        vh = json.load(open(sys.argv[3]))
        out["users_verhm"] = vh["users"]
        bad |= vh["users"] != out["users"]
        for name in res:
            for k in ("hr10", "ndcg10"):
                diff = abs(vh["baselines"][name][k] - res[name][k])
                out.setdefault("abs_diff", {})[f"{name}.{k}"] = diff
                bad |= diff > 1e-9
    print(json.dumps(out, indent=2))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
