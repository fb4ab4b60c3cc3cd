#!/usr/bin/env python3
"""Fits the part weights of the match score (src/matching/score.rs) on labelled pairs.

Input: the JSON of `cvmatch eval pairs FILE --details` for one or more pair files (each
scored pair carries its parts). Grid search over the weights (step 0.05, summing to 1):
maximise the mean over files of Spearman(raw, label) + per-resume order accuracy, subject
to every resume's strong fit (label 3) being ranked first. Prints the best weights and the
anchors that map label-3 pairs above 60 and label 0 near 0.

Usage: scripts/fit_score_weights.py details1.json [details2.json ...]
"""
import itertools
import json
import sys

PARTS = ["semantic", "coverage", "skills", "experience", "education", "title"]


def rank(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = rank(a), rank(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def raw(parts, w):
    s = t = 0.0
    for name, weight in zip(PARTS, w):
        v = parts.get(name)
        if v is not None:
            s += weight * max(0.0, min(1.0, v))
            t += weight
    return s / t if t else 0.0


def judge(pairs, w):
    xs = [raw(p["parts"], w) for p in pairs]
    labels = [p["label"] for p in pairs]
    best = {}
    good = total = 0
    for i, p in enumerate(pairs):
        b = best.get(p["resume_id"])
        if b is None or xs[i] > b[0] or (xs[i] == b[0] and p["label"] < b[1]):
            best[p["resume_id"]] = (xs[i], p["label"])
        for k in range(i + 1, len(pairs)):
            q = pairs[k]
            if q["resume_id"] == p["resume_id"] and q["label"] != p["label"]:
                total += 1
                good += (xs[i] - xs[k]) * (p["label"] - q["label"]) > 0
    strong = {p["resume_id"] for p in pairs if p["label"] == 3}
    misses = sum(1 for r in strong if best[r][1] != 3)
    return spearman(xs, labels), good / total if total else 1.0, misses, xs


def main():
    sets = [json.load(open(f))["scored"] for f in sys.argv[1:]]
    steps = [i / 20 for i in range(21)]
    best = None
    for w in itertools.product(steps, repeat=len(PARTS) - 1):
        last = 1.0 - sum(w)
        if last < 0.05 - 1e-9 or min(w[0], w[1], w[2], w[3]) < 0.05:
            continue
        w = list(w) + [round(last, 2)]
        res = [judge(s, w) for s in sets]
        misses = sum(r[2] for r in res)
        objective = sum(r[0] + r[1] for r in res) / len(res) - misses
        if best is None or objective > best[0]:
            best = (objective, w, res)
    objective, w, res = best
    print("weights", dict(zip(PARTS, w)))
    for f, (rho, order, misses, xs) in zip(sys.argv[1:], res):
        print(f"{f}: spearman {rho:.3f}, per-resume order {order:.3f}, strong not first {misses}")
    allp = [(x, p["label"]) for s, r in zip(sets, res) for x, p in zip(r[3], s)]
    for label in range(4):
        v = sorted(x for x, l in allp if l == label)
        if v:
            print(f"label {label}: raw min {v[0]:.3f} median {v[len(v)//2]:.3f} max {v[-1]:.3f}")


if __name__ == "__main__":
    main()
