#!/usr/bin/env python3
"""Fabricate a small mrf demo report directory, in the layout 'bin/mrf demo --out DIR' writes.

For developing and testing notebooks/report.ipynb without running the demo. The numbers are made
up (a synthetic head phantom with per-method noise that grows with the acceleration rate), but
every file, column and dtype follows the demo's layout:

  DIR/report.md
  DIR/report.json        {"<method>": {"ar<N>": {"t1_err_pct", "t2_err_pct", "t1_err_pct_true",
                                                 "t2_err_pct_true", "seconds_per_slice", and the
                                                 "*_std_pct" over subjects}}}
  DIR/tables/errors.csv  method,ar,subject,slice,t1_err_pct,t2_err_pct,t1_err_pct_true,
                         t2_err_pct_true,seconds_per_slice
  DIR/maps/<subject>/slice-<kkk>/{true,gt}_{t1,t2}_ms.npy, <method>_ar<N>_{t1,t2}_ms.npy  (float32 HxW)
                               mask.npy, labels.npy                                     (uint8 HxW)

Usage: make_sample_report.py OUT [--subjects 2] [--slices 2] [--size 64] [--seed 0]
Needs only numpy.
"""
import argparse
import csv
import json
import os
import sys

import numpy as np

# Tissue codes of the BrainWeb label maps; the brain mask is CSF + GM + WM + lesion.
BACKGROUND, CSF, GM, WM, LESION, SKULL, FAT = 0, 23, 46, 70, 240, 162, 93
BRAIN = (CSF, GM, WM, LESION)
# Nominal (T1, T2) in ms, roughly the paper's 3T values; CSF T2 capped at the dictionary's 500 ms.
TISSUE_MS = {CSF: (3500.0, 500.0), GM: (1300.0, 85.0), WM: (800.0, 65.0), LESION: (1150.0, 120.0),
             SKULL: (300.0, 30.0), FAT: (370.0, 130.0)}
METHODS = ("dm", "sdm", "fe_only", "scq")
ARS = (2, 4, 8, 16)
# Relative error (fraction) of each method against the DM ground truth at ar=1, and how it grows
# with the acceleration rate; DM/SDM degrade fast, SCQ slowly (the paper's claim, made up here).
BASE_ERR = {"dm": 0.025, "sdm": 0.03, "fe_only": 0.04, "scq": 0.02}
GROWTH = {"dm": 1.0, "sdm": 1.05, "fe_only": 0.45, "scq": 0.2}
SECONDS = {"dm": 20.0, "sdm": 4.0, "fe_only": 0.3, "scq": 0.6}


def labels_map(size, rng):
    """An elliptical head: fat/skull rings around GM, WM inside, ventricles and one lesion."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    cy, cx = (size - 1) / 2 + rng.normal(0, size * 0.01, 2)
    ay, ax = size * 0.46, size * 0.38
    r = np.sqrt(((y - cy) / ay) ** 2 + ((x - cx) / ax) ** 2)
    lab = np.zeros((size, size), np.uint8)
    lab[r < 1.0] = FAT
    lab[r < 0.93] = SKULL
    lab[r < 0.86] = GM
    lab[r < 0.68 + 0.04 * np.sin(6 * np.arctan2(y - cy, x - cx))] = WM
    vent = (((y - cy) / (size * 0.12)) ** 2 + ((np.abs(x - cx) - size * 0.06) / (size * 0.04)) ** 2) < 1
    lab[vent] = CSF
    ly, lx = cy + size * 0.18, cx + rng.choice([-1, 1]) * size * 0.16
    lab[((y - ly) ** 2 + (x - lx) ** 2) < (size * 0.045) ** 2] = LESION
    return lab


def smooth_noise(shape, rng, passes=3):
    """Smooth zero-mean unit-ish texture (box blur of white noise), numpy only."""
    a = rng.normal(size=shape)
    for _ in range(passes):
        a = (a + np.roll(a, 1, 0) + np.roll(a, -1, 0) + np.roll(a, 1, 1) + np.roll(a, -1, 1)) / 5
    return a / (a.std() + 1e-12)


def rel_err_pct(est, ref, mask):
    m = mask.astype(bool) & (ref > 0)
    return float(np.mean(np.abs(est[m] - ref[m]) / ref[m]) * 100.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--subjects", type=int, default=2)
    ap.add_argument("--slices", type=int, default=2)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    out = a.out
    os.makedirs(os.path.join(out, "tables"), exist_ok=True)
    rows = []
    for s in range(a.subjects):
        subject = "sub-%02d" % (s + 1)
        scale = 1 + rng.normal(0, 0.04, 2)  # per-subject tissue-value variation
        for k in range(a.slices):
            d = os.path.join(out, "maps", subject, "slice-%03d" % k)
            os.makedirs(d, exist_ok=True)
            lab = labels_map(a.size, rng)
            mask = np.isin(lab, BRAIN).astype(np.uint8)
            t1 = np.zeros(lab.shape, np.float64)
            t2 = np.zeros(lab.shape, np.float64)
            for code, (v1, v2) in TISSUE_MS.items():
                t1[lab == code] = v1 * scale[0]
                t2[lab == code] = v2 * scale[1]
            t1 *= 1 + 0.04 * smooth_noise(lab.shape, rng)
            t2 *= 1 + 0.05 * smooth_noise(lab.shape, rng)
            t1[lab == BACKGROUND] = 0
            t2[lab == BACKGROUND] = 0
            gt1 = t1 * (1 + rng.normal(0, 0.02, t1.shape))
            gt2 = t2 * (1 + rng.normal(0, 0.03, t2.shape))
            maps = {"true_t1_ms": t1, "true_t2_ms": t2, "gt_t1_ms": gt1, "gt_t2_ms": gt2}
            for m in METHODS:
                for ar in ARS:
                    sd = BASE_ERR[m] * (1 + GROWTH[m] * np.log2(ar)) * 1.25
                    e1 = gt1 * (1 + sd * rng.normal(size=t1.shape))
                    e2 = gt2 * (1 + 1.3 * sd * rng.normal(size=t2.shape))
                    e1 = np.clip(e1, 0, 5000)
                    e2 = np.clip(e2, 0, 500)
                    maps["%s_ar%d_t1_ms" % (m, ar)] = e1
                    maps["%s_ar%d_t2_ms" % (m, ar)] = e2
                    secs = SECONDS[m] / ar ** (1 if m in ("dm", "sdm") else 0.2) * (1 + 0.05 * rng.random())
                    rows.append({"method": m, "ar": ar, "subject": subject, "slice": k,
                                 "t1_err_pct": rel_err_pct(e1, gt1, mask),
                                 "t2_err_pct": rel_err_pct(e2, gt2, mask),
                                 "t1_err_pct_true": rel_err_pct(e1, t1, mask),
                                 "t2_err_pct_true": rel_err_pct(e2, t2, mask),
                                 "seconds_per_slice": secs})
            for name, arr in maps.items():
                np.save(os.path.join(d, name + ".npy"), arr.astype(np.float32))
            np.save(os.path.join(d, "mask.npy"), mask)
            np.save(os.path.join(d, "labels.npy"), lab)
    cols = ["method", "ar", "subject", "slice", "t1_err_pct", "t2_err_pct", "t1_err_pct_true",
            "t2_err_pct_true", "seconds_per_slice"]
    with open(os.path.join(out, "tables", "errors.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: ("%.6g" % r[c]) if isinstance(r[c], float) else r[c] for c in cols})
    summary = {}
    for m in METHODS:
        summary[m] = {}
        for ar in ARS:
            # Like the demo: mean over subjects of each subject's mean over its slices, std over subjects.
            sel = [r for r in rows if r["method"] == m and r["ar"] == ar]
            subjects = sorted({r["subject"] for r in sel})
            entry = {}
            for c in cols[4:]:
                per = [np.mean([r[c] for r in sel if r["subject"] == s]) for s in subjects]
                entry[c] = float(np.mean(per))
                if c != "seconds_per_slice":
                    entry[c.replace("_pct", "_std_pct")] = float(np.std(per, ddof=1)) if len(per) > 1 else 0.0
            summary[m]["ar%d" % ar] = entry
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(summary, f, indent=2)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("# mrf demo report (SAMPLE: fabricated by notebooks/make_sample_report.py)\n\n")
        f.write("Errors in percent against the DM ground truth on all 2304 time points (true maps in brackets).\n\n")
        f.write("| method | ar | T1 err % | T2 err % | s/slice |\n|---|---|---|---|---|\n")
        for m in METHODS:
            for ar in ARS:
                v = summary[m]["ar%d" % ar]
                f.write("| %s | %d | %.2f (%.2f) | %.2f (%.2f) | %.3g |\n" % (
                    m, ar, v["t1_err_pct"], v["t1_err_pct_true"], v["t2_err_pct"], v["t2_err_pct_true"],
                    v["seconds_per_slice"]))
    print("sample report: %d subjects x %d slices, %dx%d, in %s" % (a.subjects, a.slices, a.size, a.size, out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
