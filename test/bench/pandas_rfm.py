#!/usr/bin/env python3
"""The read + clean + RFM part of ../shared/bench/pandas_baseline.py alone, the table written as CSV
to stdout: the pandas side of the read + clean + RFM case of test/bench/run.mjs.

usage: /usr/bin/python3 test/bench/pandas_rfm.py RETAIL.csv   (Online-Retail-II column names)
"""
import sys
import pandas as pd

df = pd.read_csv(sys.argv[1], dtype={"Invoice": str, "StockCode": str, "Customer ID": str}, parse_dates=["InvoiceDate"])
df = df[df["Customer ID"].notna()]
df = df[(df["Quantity"] > 0) & (df["Price"] > 0) & ~df["Invoice"].str.startswith("C")]
df["TotalPrice"] = df["Quantity"] * df["Price"]
ref = df["InvoiceDate"].max() + pd.Timedelta(days=1)
g = df.groupby("Customer ID")
rfm = pd.DataFrame({"recency": (ref - g["InvoiceDate"].max()).dt.days,
                    "frequency": g["Invoice"].nunique(), "monetary": g["TotalPrice"].sum()})
rfm.to_csv(sys.stdout, index_label="customer_id")
