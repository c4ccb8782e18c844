#!/usr/bin/env python3
"""Summary of speaker-independent folds: reads `verhm train-voice --json` or
`verhm eval --json` outputs (each with a validation block or the metrics at top
level) and prints JSON: per-fold UA/WA, their mean and sample standard
deviation, and per-class recall/precision and the confusion pooled over folds.
Standard library only. Usage: ser_cv_summary.py FOLD.json..."""
import json
import math
import sys


def metrics(d):
    return d["validation"] if "validation" in d else d


def main(paths):
    if not paths:
        sys.exit("usage: ser_cv_summary.py FOLD.json...")
    folds, labels, conf = [], None, None
    for p in paths:
        with open(p) as f:
            m = metrics(json.load(f))
        if labels is None:
            labels = m["labels"]
            conf = [[0] * len(labels) for _ in labels]
        elif m["labels"] != labels:
            sys.exit("%s: labels differ from %s" % (p, paths[0]))
        for i, row in enumerate(m["confusion"]):
            for j, v in enumerate(row):
                conf[i][j] += v
        folds.append({"file": p, "n": m["n"], "ua": m["ua"], "wa": m["wa"]})
    uas = [f["ua"] for f in folds]
    mean = sum(uas) / len(uas)
    sd = math.sqrt(sum((u - mean) ** 2 for u in uas) / (len(uas) - 1)) if len(uas) > 1 else 0.0
    n = sum(sum(r) for r in conf)
    per_class = {}
    for k, name in enumerate(labels):
        sup = sum(conf[k])
        col = sum(conf[j][k] for j in range(len(labels)))
        per_class[name] = {"recall": conf[k][k] / sup if sup else None,
                           "precision": conf[k][k] / col if col else None, "support": sup}
    rec = [c["recall"] for c in per_class.values() if c["recall"] is not None]
    out = {"folds": folds, "ua_mean": mean, "ua_sd": sd,
           "wa_mean": sum(f["wa"] for f in folds) / len(folds),
           "pooled": {"n": n, "ua": sum(rec) / len(rec),
                      "wa": sum(conf[k][k] for k in range(len(labels))) / n if n else 0.0,
                      "labels": labels, "per_class": per_class, "confusion": conf}}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
