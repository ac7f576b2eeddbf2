#!/usr/bin/python3
"""Independent oracle for rfm clv: the BTYD formulas written again with scipy.special (gammaln,
hyp2f1, betaln; the Pareto/NBD P(X(t) = x) by scipy.integrate.quad, checked against its closed
form), the CDNOW sample's BTYD summary with pandas, and maximum-likelihood fits with
scipy.optimize. Writes fixtures/cdnow/btyd-oracle.json; with --check compares a fresh run against
the committed file instead (exit 1 on a difference), which is what .ci/clv.sh runs.

    /usr/bin/python3 test/oracle/btyd_scipy.py [--check]
"""
import json
import math
import os
import sys

import numpy as np
import pandas as pd
from scipy.integrate import quad
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
FIXTURES = os.path.join(ROOT, 'fixtures', 'cdnow')
OUT = os.path.join(FIXTURES, 'btyd-oracle.json')

# Published parameters (weeks) the formulas are evaluated at.
BG = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
PN = dict(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562)
PN_ALPHA_GT_BETA = dict(r=0.8, alpha=15.0, s=1.4, beta=5.0)
GG = dict(p=6.25, q=3.74, gamma=15.44)
# The same customers in days (alpha scaled), where 2F1 arguments come close to 1.
BG_DAYS = dict(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)

CUSTOMERS = [  # x, t_x, T (weeks), m (mean repeat spend)
    (0, 0.0, 38.86, 0.0),
    (2, 30.43, 38.86, 22.345),
    (1, 1.71, 38.86, 11.77),
    (5, 20.0, 38.86, 41.5),
    (0, 0.0, 1.0, 0.0),
    (10, 35.2, 38.0, 18.2),
    (30, 38.0, 38.86, 25.0),
    (1, 0.14, 0.5, 9.99),
    (3, 10.0, 78.0, 120.0),
]
HORIZONS = [1.0, 4.285714285714286, 39.0, 52.0, 104.0]


def bg_ll(p, x, tx, T):
    r, al, a, b = p['r'], p['alpha'], p['a'], p['b']
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(al)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(al + T)
    A4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(al + tx), -np.inf)
    return A1 + A2 + np.logaddexp(A3, A4)


def bg_palive(p, x, tx, T):
    r, al, a, b = p['r'], p['alpha'], p['a'], p['b']
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + (a / (b + x - 1)) * ((al + T) / (al + tx)) ** (r + x))


def bg_cond(p, t, x, tx, T):
    r, al, a, b = p['r'], p['alpha'], p['a'], p['b']
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (al + T + t))
    first = (a + b + x - 1) / (a - 1)
    second = 1 - ((al + T) / (al + T + t)) ** (r + x) * hyp
    denom = 1 + (x > 0) * (a / (b + x - 1)) * ((al + T) / (al + tx)) ** (r + x)
    return first * second / denom


def bg_new(p, t):
    r, al, a, b = p['r'], p['alpha'], p['a'], p['b']
    return (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * hyp2f1(r, b, a + b - 1, t / (al + t)))


def bg_prob(p, t, x):
    r, al, a, b = p['r'], p['alpha'], p['a'], p['b']
    def poisson(j):
        return math.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * math.log(al / (al + t)) + j * math.log(t / (al + t)))
    value = math.exp(betaln(a, b + x) - betaln(a, b)) * poisson(x)
    if x > 0:
        value += math.exp(betaln(a + 1, b + x - 1) - betaln(a, b)) * (1 - sum(poisson(j) for j in range(x)))
    return value


def pn_a0(p, x, tx, T):
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    m = r + s + x
    if al >= be:
        f = lambda t: hyp2f1(m, s + 1, m + 1, (al - be) / (al + t)) / (al + t) ** m
    else:
        f = lambda t: hyp2f1(m, r + x, m + 1, (be - al) / (be + t)) / (be + t) ** m
    return f(tx) - f(T)


def pn_ll(p, x, tx, T):
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    head = gammaln(r + x) - gammaln(r) + r * math.log(al) + s * math.log(be)
    return head + math.log(1 / ((al + T) ** (r + x) * (be + T) ** s) + s / (r + s + x) * pn_a0(p, x, tx, T))


def pn_palive(p, x, tx, T):
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    return 1 / (1 + s / (r + s + x) * (al + T) ** (r + x) * (be + T) ** s * pn_a0(p, x, tx, T))


def pn_cond(p, t, x, tx, T):
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    return (r + x) * (be + T) / ((al + T) * (s - 1)) * (1 - ((be + T) / (be + T + t)) ** (s - 1)) * pn_palive(p, x, tx, T)


def pn_prob(p, t, x):
    """Pareto/NBD P(X(t) = x) by conditioning on the lifetime tau ~ Lomax(s, beta) (the marginal of
    Exp(mu), mu ~ Gamma(s, beta)): alive through t, X is NBD(r, alpha) over t; dead at tau < t, NBD over
    tau. The tau integral is done numerically (scipy.integrate.quad): no 2F1, so independent of the
    closed form of Fader, Hardie & Lee's note, which pn_prob_closed writes out and main() checks it against."""
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    if t == 0:
        return 1.0 if x == 0 else 0.0

    def nbd(u):
        if u == 0:
            return 1.0 if x == 0 else 0.0
        return math.exp(gammaln(r + x) - gammaln(r) - gammaln(x + 1) + r * math.log(al / (al + u)) + x * math.log(u / (al + u)))

    alive = nbd(t) * (be / (be + t)) ** s
    dead, _ = quad(lambda u: nbd(u) * s * be ** s / (be + u) ** (s + 1), 0, t, epsabs=0, epsrel=1e-13, limit=200)
    return alive + dead


def pn_prob_closed(p, t, x):
    """The same from the note's closed form (2F1 by scipy.special.hyp2f1), as a cross-check."""
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    if al >= be:
        big, second, d = al, s + 1, al - be
    else:
        big, second, d = be, r + x, be - al
    c = r + s + x + 1

    def B(j, u):
        return hyp2f1(r + s + j, second, c, d / (big + u)) / (big + u) ** (r + s + j)

    alive = math.exp(gammaln(r + x) - gammaln(r) - gammaln(x + 1)) * (al / (al + t)) ** r * (t / (al + t)) ** x * (be / (be + t)) ** s
    tail = sum(math.exp(gammaln(r + s + j) - gammaln(r + s) - gammaln(j + 1)) * t ** j * B(j, t) for j in range(x + 1))
    return alive + al ** r * be ** s * math.exp(betaln(r + x, s + 1) - betaln(r, s)) * (B(0, 0.0) - tail)


def checked_pn_prob(p, t, x):
    """pn_prob, refused unless the closed form agrees to 1e-12 (absolute: in the far tail the closed
    form's two parts cancel, which is exactly what the quadrature is here to check)."""
    value = pn_prob(p, t, x)
    closed = pn_prob_closed(p, t, x)
    if not abs(value - closed) <= 1e-12:
        sys.exit(f'Pareto/NBD P(X({t}) = {x}): quadrature {value} but closed form {closed}')
    return value


PN_PROBABILITY_TIMES = (1 / 7, 1.0, 38.86, 78.0)


def histogram(prob, Ts):
    """Sum over customers of P(X(T_i) = k), k = 0..6, and the rest for 7+."""
    counts = {}
    for T in Ts:
        counts[T] = counts.get(T, 0) + 1
    model = [0.0] * 8
    for T, n in counts.items():
        ps = [prob(T, k) for k in range(7)]
        for k in range(7):
            model[k] += n * ps[k]
        model[7] += n * (1 - sum(ps))
    return model


def pn_new(p, t):
    r, al, s, be = p['r'], p['alpha'], p['s'], p['beta']
    return r * be / (al * (s - 1)) * (1 - (be / (be + t)) ** (s - 1))


def gg_ll(g, x, m):
    p, q, v = g['p'], g['q'], g['gamma']
    return (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v) + (p * x - 1) * np.log(m)
            + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def gg_spend(g, x, m):
    p, q, v = g['p'], g['q'], g['gamma']
    return p * (v + x * m) / (p * x + q - 1)


def clv_sum(cond, spend, months, discount, period_days):
    per_month = 30.0 / period_days
    total, previous = 0.0, 0.0
    for i in range(1, months + 1):
        current = cond(i * per_month)
        total += (current - previous) * spend / (1 + discount) ** i
        previous = current
    return total


def cdnow_summary():
    """The sample's BTYD summary with pandas: distinct purchase days, weeks = days / 7."""
    tx = pd.read_csv(os.path.join(FIXTURES, 'CDNOW_sample.txt'), sep=r'\s+', header=None,
                     names=['master', 'id', 'date', 'cds', 'value'], dtype={'master': str, 'id': str, 'date': str})
    tx['date'] = pd.to_datetime(tx['date'], format='%Y%m%d')
    tx = tx[tx['value'] >= 0]
    end = pd.Timestamp('1997-09-30')
    cal = tx[tx['date'] <= end].groupby(['id', 'date'], as_index=False)['value'].sum().sort_values(['id', 'date'])
    g = cal.groupby('id')
    first = g['date'].min()
    out = pd.DataFrame({
        'frequency': g['date'].count() - 1,
        'recency': (g['date'].max() - first).dt.days / 7.0,
        'T': (end - first).dt.days / 7.0,
        'monetary_value': (g['value'].sum() - g['value'].first()) / np.maximum(g['date'].count() - 1, 1),
    })
    out.loc[out['frequency'] == 0, 'monetary_value'] = 0.0
    return out


def fit(neg_ll, start):
    res = minimize(neg_ll, np.log(start), method='Nelder-Mead', options=dict(xatol=1e-10, fatol=1e-12, maxiter=20000, maxfev=40000))
    res = minimize(neg_ll, res.x, method='BFGS', options=dict(gtol=1e-8))
    return np.exp(res.x), -res.fun


def fits():
    summary = pd.read_csv(os.path.join(FIXTURES, 'cdnow_customers_summary.csv'))
    x, tx, T = (summary[c].to_numpy(float) for c in ('frequency', 'recency', 'T'))
    names = ['r', 'alpha', 'a', 'b']
    bg, bg_value = fit(lambda v: -bg_ll(dict(zip(names, np.exp(v))), x, tx, T).sum(), [1, 1, 1, 1])
    pn_names = ['r', 'alpha', 's', 'beta']
    pn_total = lambda p: -sum(pn_ll(p, xi, ti, Ti) for xi, ti, Ti in zip(x, tx, T))
    pn, pn_value = fit(lambda v: pn_total(dict(zip(pn_names, np.exp(v)))), [0.5, 10, 0.5, 10])
    s = cdnow_summary()
    buyers = s[(s['frequency'] > 0) & (s['monetary_value'] > 0)]
    gx, gm = buyers['frequency'].to_numpy(float), buyers['monetary_value'].to_numpy(float)
    gg, gg_value = fit(lambda v: -gg_ll(dict(zip(['p', 'q', 'gamma'], np.exp(v))), gx, gm).sum(), [1, 1, 1])
    return {
        'bgnbd': dict(zip(names, bg), logLikelihood=bg_value),
        'paretoNbd': dict(zip(pn_names, pn), logLikelihood=pn_value),
        'gammaGamma': dict(zip(['p', 'q', 'gamma'], gg), logLikelihood=gg_value, customers=int(len(buyers))),
        'summaryTotals': {
            'customers': int(len(s)),
            'repeatBuyers': int((s['frequency'] > 0).sum()),
            'frequencySum': int(s['frequency'].sum()),
            'monetaryMeanOfRepeatBuyers': float(buyers['monetary_value'].mean()),
        },
        'logLikelihoodAtPublished': {
            'bgnbd': float(bg_ll(BG, x, tx, T).sum()),
            'paretoNbd': float(-pn_total(PN)),
            'gammaGamma': float(gg_ll(GG, gx, gm).sum()),
        },
    }


def formulas():
    rows = []
    for x, tx, T, m in CUSTOMERS:
        row = {'x': x, 'tx': tx, 'T': T, 'm': m}
        row['bgnbd'] = {
            'logLikelihood': float(bg_ll(BG, np.array(x, float), tx, T)),
            'pAlive': bg_palive(BG, x, tx, T),
            'expected': [float(bg_cond(BG, t, x, tx, T)) for t in HORIZONS],
            'expectedDays': [float(bg_cond(BG_DAYS, t * 7, x, tx * 7, T * 7)) for t in HORIZONS],
        }
        rows_pn = {}
        for name, params in (('paretoNbd', PN), ('paretoNbdAlphaGtBeta', PN_ALPHA_GT_BETA)):
            rows_pn[name] = {
                'logLikelihood': float(pn_ll(params, x, tx, T)),
                'pAlive': float(pn_palive(params, x, tx, T)),
                'expected': [float(pn_cond(params, t, x, tx, T)) for t in HORIZONS],
            }
        row.update(rows_pn)
        spend = float(gg_spend(GG, x if m > 0 else 0, m if m > 0 else 0))
        row['gammaGamma'] = {
            'logLikelihood': float(gg_ll(GG, x, m)) if x > 0 and m > 0 else None,
            'expectedSpend': spend,
        }
        row['clv'] = {
            'bgnbdWeeks': clv_sum(lambda t: bg_cond(BG, t, x, tx, T), spend, 12, 0.01, 7),
            'bgnbdDays': clv_sum(lambda t: bg_cond(BG_DAYS, t, x, tx * 7, T * 7), spend, 12, 0.01, 1),
            'paretoNbdWeeks': clv_sum(lambda t: pn_cond(PN, t, x, tx, T), spend, 12, 0.01, 7),
            'bgnbdWeeks24NoDiscount': clv_sum(lambda t: bg_cond(BG, t, x, tx, T), spend, 24, 0.0, 7),
        }
        rows.append(row)
    new = {
        'horizons': HORIZONS,
        'bgnbd': [float(bg_new(BG, t)) for t in HORIZONS],
        'paretoNbd': [float(pn_new(PN, t)) for t in HORIZONS],
        'bgnbdProbability': {str(t): [bg_prob(BG, t, k) for k in range(8)] for t in (1.0, 38.86, 78.0)},
        'paretoNbdProbability': {str(t): [checked_pn_prob(PN, t, k) for k in range(8)] for t in PN_PROBABILITY_TIMES},
        'paretoNbdAlphaGtBetaProbability': {str(t): [checked_pn_prob(PN_ALPHA_GT_BETA, t, k) for k in range(8)] for t in PN_PROBABILITY_TIMES},
        # Far in the tail, where the closed form's two parts agree to many digits.
        'paretoNbdProbabilityTail': [{'t': t, 'x': x, 'value': checked_pn_prob(PN, t, x)} for t, x in ((1 / 7, 20), (1.0, 20), (38.86, 20), (38.86, 60), (78.0, 150))],
    }
    # The calibration histogram of the published CDNOW summary: sum over customers of P(X(T_i) = k).
    Ts = pd.read_csv(os.path.join(FIXTURES, 'cdnow_customers_summary.csv'))['T'].to_list()
    new['histogram'] = {
        'bgnbd': histogram(lambda t, k: bg_prob(BG, t, k), Ts),
        'paretoNbd': histogram(lambda t, k: pn_prob(PN, t, k), Ts),
    }
    grid = []
    for a, b, c in ((0.5, 1.2, 2.7), (2.243, 4.426, 2.219), (32.6, 31.4, 33.6), (1.3, 2.1, -0.4), (0.7, 1.3, 2.0),
                    (3.0, 1.0, 4.5), (120.5, 3.2, 121.5), (10.8, 0.61, 11.8),
                    # E[Y(t)]'s 2F1 for a BG/NBD fit whose a and b ran to millions (r = 0.716, x = 2).
                    (2.716, 16822364.65, 23033276.55)):
        for z in (0.0, 0.1, 0.45, 0.6, 0.75, 0.9, 0.97):
            v = float(hyp2f1(a, b, c, z))
            grid.append({'a': a, 'b': b, 'c': c, 'z': z, 'value': v})
    return {'params': {'bgnbd': BG, 'bgnbdDays': BG_DAYS, 'paretoNbd': PN, 'paretoNbdAlphaGtBeta': PN_ALPHA_GT_BETA, 'gammaGamma': GG},
            'customers': rows, 'new': new, 'hyp2f1': grid}


def compare(a, b, path, rel):
    if isinstance(a, dict):
        if set(a) != set(b):
            return [f'{path}: keys differ']
        return [m for k in a for m in compare(a[k], b[k], f'{path}.{k}', rel)]
    if isinstance(a, list):
        if len(a) != len(b):
            return [f'{path}: lengths differ']
        return [m for i, (u, v) in enumerate(zip(a, b)) for m in compare(u, v, f'{path}[{i}]', rel)]
    if isinstance(a, float) and isinstance(b, (int, float)):
        return [] if abs(a - b) <= rel * max(1.0, abs(a)) else [f'{path}: committed {a} now {b}']
    return [] if a == b else [f'{path}: committed {a!r} now {b!r}']


def main():
    result = {'generator': 'test/oracle/btyd_scipy.py (scipy.special, scipy.optimize, pandas)',
              'formulas': formulas(), 'fits': fits()}
    if '--check' in sys.argv:
        with open(OUT) as f:
            committed = json.load(f)
        problems = compare(committed['formulas'], result['formulas'], 'formulas', 1e-9) + compare(committed['fits'], result['fits'], 'fits', 1e-5)
        for p in problems:
            print(p, file=sys.stderr)
        print(f'btyd oracle: {"OK" if not problems else f"{len(problems)} differences"} against {os.path.relpath(OUT, ROOT)}')
        sys.exit(1 if problems else 0)
    with open(OUT, 'w') as f:
        json.dump(result, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.relpath(OUT, ROOT)}')


if __name__ == '__main__':
    main()
