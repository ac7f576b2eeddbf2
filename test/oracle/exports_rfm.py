#!/usr/bin/env python3
"""The independent oracle for the real-world export corpus (issue 12): pandas' RFM of each file.

usage: /usr/bin/python3 test/oracle/exports_rfm.py
Reads every file of fixtures/exports/ with pandas' own parsing, chosen per file as an analyst who
knows the file would (separator, decimal mark, thousands separator, date format, time zones,
encoding, header or not), applies the cleaning rules of DESIGN.md section 2 and EXPORTS-SPEC.md, and
writes fixtures/exports/expected/<file>.rfm.csv (customer_id,recency,frequency,monetary sorted by
customer id, monetary rounded to cents) and fixtures/exports/expected/drops.json (per file: rows,
kept rows, customers, rows dropped by each rule, plus facts the tests check). Prints the counts.
It reads nothing from src/ or dist/. Needs Debian's python3-pandas (apt-get install -y python3-pandas).

RFM (DESIGN.md section 2): as-of = latest kept timestamp + 1 day; recency = (as-of - last purchase).days;
frequency = distinct invoices (distinct purchase days without an invoice column); monetary = sum of
the amount (or quantity x price). Timestamps are instants in UTC. The generator puts the latest kept
purchase of every file at 00:00:00 UTC, so the as-of is also "latest kept UTC day + 1"; checked below.
"""
import csv
import io
import json
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ROOT / "fixtures" / "exports"
EXPECTED = EXPORTS / "expected"

# EXPORTS-SPEC.md: the status values that mean the sale did not stand, after normalising.
DROPPED_STATUSES = {"cancelled", "canceled", "refunded", "voided", "void", "failed", "declined", "pending",
                    "pending payment", "draft", "checkout draft", "trash"}
CANCELLATION = re.compile(r"^C\d+$")


def normalise_status(value):
    s = str(value).strip().lower()
    s = re.sub(r"^wc-", "", s)
    s = re.sub(r"[_-]", " ", s)
    return re.sub(r" +", " ", s)


class Cleaner:
    """Applies rules one after another, counting the rows each one drops (the first rule that
    applies to a row gets it; the rows kept do not depend on the order)."""

    def __init__(self, df):
        self.df = df
        self.rows = len(df)
        self.dropped = {}

    def drop(self, rule, mask):
        mask = mask.fillna(False).astype(bool)
        self.dropped[rule] = self.dropped.get(rule, 0) + int(mask.sum())
        self.df = self.df[~mask]


def missing(series):
    return series.isna() | (series.astype(str).str.strip() == "")


def rfm(df, customer, time, amount, invoice=None):
    """df has UTC-aware (or naive-UTC) timestamps in column `time`."""
    df = df.assign(_cid=df[customer].astype(str).str.strip().str.replace(r"\.0$", "", regex=True))
    latest = df[time].max()
    ref = latest + pd.Timedelta(days=1)
    # The corpus is built so that both readings of the as-of agree (see the module docstring).
    if latest != latest.normalize():
        sys.exit(f"latest kept purchase {latest} is not at 00:00:00 UTC: fix the generator")
    g = df.groupby("_cid")
    frequency = g[invoice].nunique() if invoice else g[time].apply(lambda t: t.dt.normalize().nunique())
    out = pd.DataFrame({"recency": (ref - g[time].max()).dt.days, "frequency": frequency, "monetary": g[amount].sum()})
    return out.sort_index(), ref


def write(name, table, cleaner, facts):
    EXPECTED.mkdir(parents=True, exist_ok=True)
    path = EXPECTED / f"{name}.rfm.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["customer_id", "recency", "frequency", "monetary"])
        for cid, row in table.iterrows():
            w.writerow([cid, int(row.recency), int(row.frequency), f"{row.monetary:.2f}"])
    return {"rows": cleaner.rows, "kept": len(cleaner.df), "customers": len(table),
            "dropped": cleaner.dropped, **facts}


# ---------------------------------------------------------------------------------------------

SHOPIFY_ORDER_LEVEL = ["Financial Status", "Paid at", "Fulfillment Status", "Currency", "Subtotal", "Shipping",
                       "Taxes", "Total", "Discount Amount", "Cancelled at"]


def shopify(path):
    df = pd.read_csv(path, dtype={"Name": str, "Email": str, "Financial Status": str, "Cancelled at": str})
    # The order's own fields are on its first line only: fill them down within the order.
    df[SHOPIFY_ORDER_LEVEL] = df.groupby("Name", sort=False)[SHOPIFY_ORDER_LEVEL].ffill()
    local = pd.to_datetime(df["Created at"].str[:19], format="%Y-%m-%d %H:%M:%S")
    df["t"] = pd.to_datetime(df["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True)
    facts = {
        "zone_offsets": sorted(df["Created at"].str[-5:].unique().tolist()),
        "orders_utc_day_not_local_day": int(df.loc[local.dt.date != df["t"].dt.date, "Name"].nunique()),
    }
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["Email"]))
    c.drop("status", c.df["Financial Status"].map(normalise_status).isin(DROPPED_STATUSES))
    c.drop("cancelled_at", c.df["Cancelled at"].notna())
    c.drop("nonpositive_quantity", c.df["Lineitem quantity"] <= 0)
    c.drop("nonpositive_price", c.df["Lineitem price"] <= 0)
    d = c.df.assign(amount=c.df["Lineitem quantity"] * c.df["Lineitem price"])
    table, ref = rfm(d, "Email", "t", "amount", invoice="Name")
    return table, c, {"as_of": ref.isoformat(), **facts}


def woocommerce(path):
    df = pd.read_csv(path, dtype={"Order ID": str, "Customer Email": str, "Order Status": str})
    df["t"] = pd.to_datetime(df["Order Date"], format="%Y-%m-%d %H:%M:%S", utc=True)  # no zone: taken as UTC
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["Customer Email"]))
    c.drop("status", c.df["Order Status"].map(normalise_status).isin(DROPPED_STATUSES))
    c.drop("nonpositive_amount", c.df["Order Total"] <= 0)
    table, ref = rfm(c.df, "Customer Email", "t", "Order Total", invoice="Order ID")
    return table, c, {"as_of": ref.isoformat(), "statuses": sorted(df["Order Status"].unique().tolist())}


def stripe(path):
    df = pd.read_csv(path, dtype={"id": str, "Customer ID": str, "Status": str})
    df["t"] = pd.to_datetime(df["Created date (UTC)"], format="%Y-%m-%d %H:%M:%S", utc=True)
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["Customer ID"]))
    c.drop("status", c.df["Status"].map(normalise_status).isin(DROPPED_STATUSES))
    c.drop("nonpositive_amount", c.df["Amount"] <= 0)
    net = c.df["Amount"] - c.df["Amount Refunded"]
    partial = int(((c.df["Amount Refunded"] > 0) & (net > 0)).sum())
    c.drop("refunded_to_zero", net <= 0)  # EXPORTS-SPEC counts these under `status`
    d = c.df.assign(net=c.df["Amount"] - c.df["Amount Refunded"])
    table, ref = rfm(d, "Customer ID", "t", "net", invoice="id")
    # ch_… ids start with a c: the old "invoice starts with C" rule would have dropped them all.
    return table, c, {"as_of": ref.isoformat(), "partial_refunds_subtracted": partial, "ids_starting_with_c": int(df["id"].str.lower().str.startswith("c").sum())}


def superstore(path):
    df = pd.read_csv(path, dtype={"Order ID": str, "Customer ID": str})
    df["t"] = pd.to_datetime(df["Order Date"], format="%m/%d/%Y", utc=True)
    facts = {
        "c_prefixed_orders_not_cancellations": int((df["Order ID"].str.startswith("C") & ~df["Order ID"].str.match(CANCELLATION)).sum()),
        "order_dates_day_over_12": int((df["t"].dt.day > 12).sum()),
    }
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["Customer ID"]))
    c.drop("cancelled", c.df["Order ID"].str.strip().str.match(CANCELLATION))
    c.drop("nonpositive_quantity", c.df["Quantity"] <= 0)
    c.drop("nonpositive_amount", c.df["Sales"] <= 0)
    table, ref = rfm(c.df, "Customer ID", "t", "Sales", invoice="Order ID")
    return table, c, {"as_of": ref.isoformat(), **facts}


def european(path):
    df = pd.read_csv(path, sep=";", decimal=",", dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str})
    df["t"] = pd.to_datetime(df["InvoiceDate"], format="%d.%m.%Y %H:%M", utc=True)
    facts = {"dates_day_over_12": int((df["t"].dt.day > 12).sum())}
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["CustomerID"]))
    c.drop("cancelled", c.df["InvoiceNo"].str.strip().str.match(CANCELLATION))
    c.drop("nonpositive_quantity", c.df["Quantity"] <= 0)
    c.drop("nonpositive_price", c.df["UnitPrice"] <= 0)
    d = c.df.assign(amount=c.df["Quantity"] * c.df["UnitPrice"])
    table, ref = rfm(d, "CustomerID", "t", "amount", invoice="InvoiceNo")
    return table, c, {"as_of": ref.isoformat(), **facts}


def european_totals(path):
    text = path.read_text(encoding="utf-8")
    # Every Total carries " €": an analyst strips the symbol, then lets pandas read the German numbers.
    if text.count(" €") != text.count("\n") - 1:
        sys.exit("european-totals.csv: expected ' €' on every Total")
    df = pd.read_csv(io.StringIO(text.replace(" €", "")), sep=";", decimal=",", thousands=".",
                     dtype={"Invoice": str, "Customer ID": str})
    df["t"] = pd.to_datetime(df["Date"], format="%d/%m/%Y", utc=True)
    written = pd.read_csv(io.StringIO(text), sep=";", dtype=str)["Total"]
    facts = {"totals_with_thousands_separator": int(written.str.match(r"^-?\d{1,3}(\.\d{3})+,\d{2} €$").sum()),
             "dates_day_over_12": int((df["t"].dt.day > 12).sum())}
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["Customer ID"]))
    c.drop("nonpositive_amount", c.df["Total"] <= 0)
    table, ref = rfm(c.df, "Customer ID", "t", "Total", invoice="Invoice")
    return table, c, {"as_of": ref.isoformat(), **facts}


def cdnow(path):
    df = pd.read_csv(path, sep=r"\s+", header=None, names=["id", "_", "date", "quantity", "amount"],
                     dtype={"id": str, "_": str, "date": str})
    df["t"] = pd.to_datetime(df["date"], format="%Y%m%d", utc=True)
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["id"]))
    c.drop("nonpositive_quantity", c.df["quantity"] <= 0)
    c.drop("nonpositive_amount", c.df["amount"] <= 0)
    table, ref = rfm(c.df, "id", "t", "amount")  # no invoice column: distinct purchase days
    return table, c, {"as_of": ref.isoformat()}


def latin1_late(path):
    raw = path.read_bytes()
    first_high = next(i for i, b in enumerate(raw) if b >= 0x80)
    df = pd.read_csv(path, encoding="latin-1", dtype={"Invoice": str, "StockCode": str, "Customer ID": str})
    df["t"] = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S", utc=True)
    facts = {"first_non_ascii_byte_offset": first_high, "bytes": len(raw),
             "jose_rows": int((df["Customer ID"] == "José").sum())}
    try:
        raw.decode("utf-8")
        sys.exit("latin1-late.csv must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    c = Cleaner(df)
    c.drop("missing_customer", missing(c.df["Customer ID"]))
    c.drop("cancelled", c.df["Invoice"].str.strip().str.match(CANCELLATION))
    c.drop("nonpositive_quantity", c.df["Quantity"] <= 0)
    c.drop("nonpositive_price", c.df["Price"] <= 0)
    d = c.df.assign(amount=c.df["Quantity"] * c.df["Price"])
    table, ref = rfm(d, "Customer ID", "t", "amount", invoice="Invoice")
    return table, c, {"as_of": ref.isoformat(), **facts}


FILES = {
    "shopify-orders.csv": shopify,
    "woocommerce-orders.csv": woocommerce,
    "stripe-payments.csv": stripe,
    "superstore.csv": superstore,
    "european.csv": european,
    "european-totals.csv": european_totals,
    "CDNOW_sample.txt": cdnow,
    "latin1-late.csv": latin1_late,
}


def main():
    report = {}
    for name, read in FILES.items():
        table, cleaner, facts = read(EXPORTS / name)
        report[name] = write(name, table, cleaner, facts)
        r = report[name]
        drops = ", ".join(f"{k}={v}" for k, v in r["dropped"].items())
        extra = ", ".join(f"{k}={v}" for k, v in facts.items())
        print(f"{name}: rows={r['rows']} kept={r['kept']} customers={r['customers']}; dropped: {drops}" + (f"; {extra}" if extra else ""))
    with open(EXPECTED / "drops.json", "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
