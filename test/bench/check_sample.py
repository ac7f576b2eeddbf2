#!/usr/bin/env python3
"""Check a generated (or real) Online-Retail-II-shaped file against the real file's shape.

usage: /usr/bin/python3 test/bench/check_sample.py FILE [FILE...]
Needs Debian's python3-pandas and python3-sklearn. Cleans and aggregates exactly like
../shared/bench/pandas_baseline.py (missing customer, C invoices, quantity <= 0, price <= 0 dropped;
as-of = latest kept timestamp + 1 day), prints row/quirk counts, the R/F/M quartiles next to the
real file's, the k=4 clusters on log1p + StandardScaler features (KMeans(n_init=10, random_state=42))
named by the DESIGN.md k=4 rule, and where the four acceptance customers land.
"""
import sys
import numpy as np, pandas as pd
from sklearn.preprocessing import StandardScaler
from sklearn.cluster import KMeans

TARGET = {"Recency": (18, 51, 142, 374), "Frequency": (1, 2, 5, 210), "Monetary": (307, 674, 1662, 280000)}
ACCEPT = [((5, 15, 25000), "Loyal High-Value"), ((15, 2, 800), "Potential Loyalists"),
          ((60, 3, 3000), "Occasional Buyers"), ((250, 1, 400), "Churn Risk")]


def name_clusters(centroids_orig, centroids_scaled):
    k = len(centroids_orig)
    names = {}
    churn = int(np.argmax(centroids_orig[:, 0]))
    names[churn] = "Churn Risk"
    rest = [c for c in range(k) if c != churn]
    loyal = max(rest, key=lambda c: (centroids_scaled[c, 1] + centroids_scaled[c, 2]) / 2)
    names[loyal] = "Loyal High-Value"
    rest = [c for c in rest if c != loyal]
    pot = min(rest, key=lambda c: centroids_orig[c, 0])
    names[pot] = "Potential Loyalists"
    for c in rest:
        if c != pot:
            names[c] = "Occasional Buyers"
    return names


def check(path):
    raw = pd.read_csv(path, dtype={"Invoice": str, "StockCode": str, "Customer ID": str}, parse_dates=["InvoiceDate"])
    n = len(raw)
    cancel = raw["Invoice"].str.startswith("C")
    missing = raw["Customer ID"].isna()
    print(f"== {path}")
    print(f"rows {n}  missing customer {missing.sum()} ({missing.mean():.2%})  cancellation rows {cancel.sum()} ({cancel.mean():.2%})"
          f"  price 0 {(raw['Price'] == 0).sum()} (with customer {((raw['Price'] == 0) & ~missing).sum()})"
          f"  qty<0 not C {((raw['Quantity'] < 0) & ~cancel).sum()}  price<0 {(raw['Price'] < 0).sum()}"
          f"  empty description {raw['Description'].isna().sum()}"
          f"  description with comma {raw['Description'].str.contains(',', na=False).sum()} / quote {raw['Description'].str.contains(chr(34), na=False).sum()}")
    print(f"invoices {raw['Invoice'].nunique()} (C {raw.loc[cancel, 'Invoice'].nunique()})  dates {raw['InvoiceDate'].min()} .. {raw['InvoiceDate'].max()}"
          f"  customers in file {raw['Customer ID'].nunique()}  countries {raw['Country'].nunique()}")
    df = raw[raw["Customer ID"].notna()]
    df = df[(df["Quantity"] > 0) & (df["Price"] > 0) & ~df["Invoice"].str.startswith("C")].copy()
    df["TotalPrice"] = df["Quantity"] * df["Price"]
    ref = df["InvoiceDate"].max() + pd.Timedelta(days=1)
    g = df.groupby("Customer ID")
    rfm = pd.DataFrame({"Recency": (ref - g["InvoiceDate"].max()).dt.days,
                        "Frequency": g["Invoice"].nunique(), "Monetary": g["TotalPrice"].sum()})
    print(f"kept rows {len(df)} ({len(df) / n:.2%})  kept invoices {df['Invoice'].nunique()}  customers {len(rfm)}"
          f"  lines/kept invoice {len(df) / df['Invoice'].nunique():.1f}  as-of {ref}")
    print(f"{'':10} {'q25':>8} {'q50':>8} {'q75':>8} {'max':>10} {'mean':>9}   target q25/q50/q75/max   worst quartile off")
    for col in ["Recency", "Frequency", "Monetary"]:
        q = rfm[col].quantile([0.25, 0.5, 0.75]).tolist()
        t = TARGET[col]
        off = max(abs(a - b) / b for a, b in zip(q, t[:3]))
        print(f"{col:10} {q[0]:8.1f} {q[1]:8.1f} {q[2]:8.1f} {rfm[col].max():10.1f} {rfm[col].mean():9.1f}   {t}   {off:.1%}")
    print("frequency counts 1..10:", [int((rfm['Frequency'] == i).sum()) for i in range(1, 11)], " >10:", int((rfm['Frequency'] > 10).sum()))

    X = np.log1p(rfm.values.astype(float))
    sc = StandardScaler().fit(X)
    Xs = sc.transform(X)
    km = KMeans(n_clusters=4, random_state=42, n_init=10).fit(Xs)
    cent_scaled = km.cluster_centers_
    cent_orig = np.column_stack([rfm.values[km.labels_ == c].mean(axis=0) for c in range(4)]).T
    # centroids in original units: inverse of the scaled centroid (what the model file stores)
    cent_inv = np.expm1(sc.inverse_transform(cent_scaled))
    names = name_clusters(cent_inv, cent_scaled)
    sizes = np.bincount(km.labels_, minlength=4)
    print("clusters (k=4, log1p+StandardScaler):")
    for c in range(4):
        print(f"  {c} {names[c]:20} size {sizes[c]:5}  centroid R/F/M {cent_inv[c].round(1).tolist()}  member means {cent_orig[c].round(1).tolist()}")
    ok = True
    for (r, f, m), want in ACCEPT:
        x = sc.transform(np.log1p(np.array([[r, f, m]], dtype=float)))
        c = int(km.predict(x)[0])
        got = names[c]
        ok &= got == want
        print(f"  acceptance R{r} F{f} M{m}: cluster {c} {got}  {'OK' if got == want else 'WANTED ' + want}")
    print("acceptance:", "all four as stated" if ok else "MISMATCH")
    return ok


if __name__ == "__main__":
    results = [check(p) for p in sys.argv[1:]]
    sys.exit(0 if all(results) else 1)
