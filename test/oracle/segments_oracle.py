#!/usr/bin/env python3
"""The sample model's numbers, computed from the transaction log with pandas and numpy alone.

usage: /usr/bin/python3 test/oracle/segments_oracle.py > fixtures/oracle/sample-oracle.json
       /usr/bin/python3 test/oracle/segments_oracle.py --check fixtures/oracle/sample-oracle.json

It backs test/cli/oracle.test.ts, which compares with these numbers the sample model
(fixtures/models/sample-model.json) and the golden files summary-sample.*, segment-explain.* and
segment-batch.*. Nothing here comes from rfm's own output except the fitted centroids (k-means
is checked against scikit-learn elsewhere): from the model file it takes only the centroids and
k; it checks they are the means of the customers nearest to them.

From fixtures/online_retail_sample.csv:
  RFM      the retail rules of fixtures/golden/make-pandas-golden.py (drop rows without a customer,
           Quantity <= 0, Price <= 0, invoices starting with C; as-of = latest kept time + 1 day;
           recency = whole days; frequency = distinct invoices; monetary = sum Quantity * Price).
  scaler   log1p of R, F, M, then mean and population standard deviation (StandardScaler).
  labels   the nearest centroid (squared Euclidean; the lowest index wins a tie).
  segments per cluster: size, share, revenue (sum of monetary), revenue share, and the mean, median,
           min and max of recency, frequency and monetary; the centroid back in units (expm1).
  inertia, silhouette (exact, all customers), and the two CLI examples the goldens hold:
  explain  recency 30, frequency 4, monetary 2500: scaled features and distance to every centroid.
  batch    z (250, 1, 400) and a (5, 15, 25000): their clusters.
--check regenerates the numbers and compares them with a committed file (relative 1e-12: numpy's
summation order may move the last bit), exiting 1 with the differences. Needs Debian's
python3-pandas and python3-numpy.
"""
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "fixtures" / "online_retail_sample.csv"
MODEL = ROOT / "fixtures" / "models" / "sample-model.json"


def rfm_table():
    df = pd.read_csv(LOG, dtype={"Invoice": str, "Customer ID": str}, parse_dates=["InvoiceDate"])
    df = df[df["Customer ID"].notna()]
    df = df[(df.Quantity > 0) & (df.Price > 0) & ~df.Invoice.str.upper().str.startswith("C")]
    df = df.assign(amt=df.Quantity * df.Price, cid=df["Customer ID"].str.replace(r"\.0$", "", regex=True))
    as_of = df.InvoiceDate.max() + pd.Timedelta(days=1)
    g = df.groupby("cid")
    rfm = pd.DataFrame({"recency": (as_of - g.InvoiceDate.max()).dt.days, "frequency": g.Invoice.nunique(), "monetary": g.amt.sum()})
    return rfm.sort_index(), as_of


def stats(values):
    return {"mean": float(np.mean(values)), "median": float(np.median(values)), "min": float(np.min(values)), "max": float(np.max(values))}


def nearest(points, centroids):
    d2 = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return d2.argmin(axis=1), d2.min(axis=1)


def silhouette(points, labels, k):
    n = len(points)
    sizes = np.bincount(labels, minlength=k)
    scores = np.empty(n)
    for start in range(0, n, 512):
        block = points[start : start + 512]
        dist = np.sqrt(((block[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
        sums = np.stack([dist[:, labels == j].sum(axis=1) for j in range(k)], axis=1)
        own = labels[start : start + 512]
        rows = np.arange(len(block))
        a = sums[rows, own] / np.maximum(sizes[own] - 1, 1)
        means = sums / sizes
        means[rows, own] = np.inf
        b = means.min(axis=1)
        s = (b - a) / np.maximum(a, b)
        scores[start : start + 512] = np.where(sizes[own] > 1, s, 0.0)
    return float(scores.mean())


def compute():
    rfm, as_of = rfm_table()
    model = json.loads(MODEL.read_text())
    k = model["params"]["k"]
    centroids = np.array(model["centroids"], dtype=float)
    values = rfm[["recency", "frequency", "monetary"]].to_numpy(dtype=float)
    logged = np.log1p(values)
    mean = logged.mean(axis=0)
    scale = logged.std(axis=0, ddof=0)
    points = (logged - mean) / scale
    labels, d2 = nearest(points, centroids)
    means_gap = max(float(np.abs(points[labels == j].mean(axis=0) - centroids[j]).max()) for j in range(k))
    total_revenue = float(rfm.monetary.sum())
    segments = []
    for j in range(k):
        part = rfm[labels == j]
        revenue = float(part.monetary.sum())
        units = np.expm1(centroids[j] * scale + mean)
        segments.append(
            {
                "cluster": j,
                "size": int(len(part)),
                "share": len(part) / len(rfm),
                "revenue": revenue,
                "revenueShare": revenue / total_revenue,
                "recency": stats(part.recency),
                "frequency": stats(part.frequency),
                "monetary": stats(part.monetary),
                "centroid": {"recency": float(units[0]), "frequency": float(units[1]), "monetary": float(units[2])},
            }
        )

    def place(r, f, m):
        scaled = (np.log1p(np.array([r, f, m], dtype=float)) - mean) / scale
        distances = np.sqrt(((centroids - scaled) ** 2).sum(axis=1))
        return scaled, distances

    scaled, distances = place(30, 4, 2500)
    batch = []
    for cid, r, f, m in [("z", 250, 1, 400), ("a", 5, 15, 25000)]:
        _, d = place(r, f, m)
        batch.append({"customer_id": cid, "recency": r, "frequency": f, "monetary": m, "cluster": int(d.argmin())})
    return {
        "source": "fixtures/online_retail_sample.csv",
        "asOf": as_of.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "customers": int(len(rfm)),
        "k": k,
        "scaler": {"mean": mean.tolist(), "scale": scale.tolist()},
        "centroidsMinusMeans": means_gap,
        "inertia": float(d2.sum()),
        "silhouette": silhouette(points, labels, k),
        "segments": segments,
        "explain": {
            "recency": 30,
            "frequency": 4,
            "monetary": 2500,
            "cluster": int(distances.argmin()),
            "scaled": {"recency": float(scaled[0]), "frequency": float(scaled[1]), "monetary": float(scaled[2])},
            "distances": distances.tolist(),
        },
        "batch": batch,
    }


def differences(want, got, path="$"):
    if isinstance(want, dict) and isinstance(got, dict):
        if want.keys() != got.keys():
            return [f"{path}: keys {sorted(want)} != {sorted(got)}"]
        return [d for key in want for d in differences(want[key], got[key], f"{path}.{key}")]
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{path}: {len(want)} items != {len(got)}"]
        return [d for i, (w, g) in enumerate(zip(want, got)) for d in differences(w, g, f"{path}[{i}]")]
    if isinstance(want, float) or isinstance(got, float):
        # centroidsMinusMeans is near zero: compare it absolutely.
        ok = math.isclose(want, got, rel_tol=1e-12, abs_tol=1e-12)
        return [] if ok else [f"{path}: committed {want!r}, now {got!r}"]
    return [] if want == got else [f"{path}: committed {want!r}, now {got!r}"]


if __name__ == "__main__":
    result = compute()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        problems = differences(json.loads(Path(sys.argv[2]).read_text()), result)
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{sys.argv[2]}: {'matches' if not problems else f'{len(problems)} differences from'} the oracle", file=sys.stderr)
        sys.exit(1 if problems else 0)
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    print(json.dumps(result, indent=2))
