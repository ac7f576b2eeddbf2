#!/usr/bin/python3
"""The scipy side of the clv benchmark (test/bench/clv-bench.mjs, case 7 of test/bench/run.mjs): the
same work as `rfm clv` with numpy/scipy/pandas: the BTYD summary from the log (pandas), vectorised
BG/NBD and Gamma-Gamma likelihoods maximised with scipy.optimize (Nelder-Mead then BFGS in log
space), their standard errors from a central-difference Hessian in log space (the delta method, as
rfm reports them), P(alive), E[Y(t)] with scipy.special.hyp2f1, the 12-month CLV sum, and the
per-customer CSV written with pandas. One start per fit (rfm tries several; on these inputs both
reach the same optimum: the predictions agree to about 1e-6).

    btyd_scipy_fit.py log CDNOW_master.txt OUT.csv     (BTYD summary from the log, calibration end 1997-09-30)
    btyd_scipy_fit.py table BTYD.csv OUT.csv           (a BTYD summary table)
"""
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1


def summary_from_log(path):
    tx = pd.read_csv(path, sep=r'\s+', dtype={'customer_id': str, 'date': str})
    tx.columns = ['customer_id', 'date', 'cds', 'value']
    tx = tx[tx['value'] >= 0]
    tx['date'] = pd.to_datetime(tx['date'], format='%Y%m%d')
    end = pd.Timestamp('1997-09-30')
    daily = tx[tx['date'] <= end].groupby(['customer_id', 'date'], as_index=False)['value'].sum()
    g = daily.groupby('customer_id')
    first = g['date'].min()
    n = g['date'].count()
    out = pd.DataFrame({'frequency': n - 1, 'recency': (g['date'].max() - first).dt.days / 7.0, 'T': (end - first).dt.days / 7.0})
    first_value = daily.sort_values('date').groupby('customer_id')['value'].first()
    out['monetary_value'] = np.where(n > 1, (g['value'].sum() - first_value) / np.maximum(n - 1, 1), 0.0)
    return out.reset_index()


def bg_ll(theta, x, tx, T):
    r, al, a, b = np.exp(theta)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(al + T)
    A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(al + tx), -np.inf)
    return -np.mean(A1 + A2 + np.logaddexp(A3, A4))


def gg_ll(theta, x, m):
    p, q, v = np.exp(theta)
    return -np.mean(gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v) + (p * x - 1) * np.log(m)
                    + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def fit(f, start, *data):
    """The maximum-likelihood estimates and their standard errors."""
    res = minimize(f, np.log(start), args=data, method='Nelder-Mead', options=dict(maxiter=4000, xatol=1e-6, fatol=1e-10))
    theta = minimize(f, res.x, args=data, method='BFGS').x
    return np.exp(theta), standard_errors(f, theta, len(data[0]), *data)


def standard_errors(f, theta, n, *data):
    """se of exp(theta) from the Hessian of n × f (f the mean negative log-likelihood in log space)."""
    k = len(theta)
    h = 1e-4 * (1 + np.abs(theta))
    H = np.zeros((k, k))
    f0 = f(theta, *data)
    for i in range(k):
        for j in range(i, k):
            def at(si, sj):
                p = theta.copy()
                p[i] += si * h[i]
                p[j] += sj * h[j]
                return f(p, *data)
            if i == j:
                H[i, i] = (at(1, 0) - 2 * f0 + at(-1, 0)) / h[i] ** 2  # j = i: at(±1, 0) is θ ± h e_i
            else:
                H[i, j] = H[j, i] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[i] * h[j])
    return np.exp(theta) * np.sqrt(np.diag(np.linalg.inv(n * H)))


def main():
    kind, path, out_path = sys.argv[1:4]
    s = summary_from_log(path) if kind == 'log' else pd.read_csv(path, dtype={'customer_id': str})
    x, tx, T, m = (s[c].to_numpy(float) for c in ('frequency', 'recency', 'T', 'monetary_value'))
    (r, al, a, b), bg_se = fit(bg_ll, [1, 1, 1, 1], x, tx, T)
    buyers = (x > 0) & (m > 0)
    (p, q, v), gg_se = fit(gg_ll, [1, 1, 1], x[buyers], m[buyers])
    with np.errstate(over='ignore'):
        palive = np.where(x > 0, 1 / (1 + (a / np.maximum(b + x - 1, 1e-12)) * ((al + T) / (al + tx)) ** (r + x)), 1.0)

    def expected(t):
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (al + T + t))
        return (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * hyp) / (
            1 + (x > 0) * (a / np.maximum(b + x - 1, 1e-12)) * ((al + T) / (al + tx)) ** (r + x))

    xs = np.where(buyers, x, 0)
    spend = p * (v + xs * np.where(buyers, m, 0)) / (p * xs + q - 1)
    clv = np.zeros(len(x))
    previous = np.zeros(len(x))
    for i in range(1, 13):
        current = expected(i * 30 / 7)
        clv += (current - previous) * spend / 1.01 ** i
        previous = current
    s = s.assign(p_alive=palive, expected_purchases=previous, expected_spend=spend, clv=clv)
    s.to_csv(out_path, index=False)
    print(f'bgnbd r={r:.4f} alpha={al:.4f} a={a:.4f} b={b:.4f} (se {" ".join(f"{e:.4f}" for e in bg_se)}); '
          f'gg p={p:.4f} q={q:.4f} gamma={v:.4f} (se {" ".join(f"{e:.4f}" for e in gg_se)}); {len(s)} customers', file=sys.stderr)


if __name__ == '__main__':
    main()
