// The script of the page `rfm serve` shows at / (src/server/page.ts). Plain JavaScript, no build
// step, served as a file so that the page's Content-Security-Policy can forbid inline script.
// It sends the form to POST /segment (and the lifetime-value form to POST /clv) and shows the answer; everything it writes into the page
// goes in as text (textContent, setAttribute), never as markup.
'use strict';

/** log1p scale from [lo, hi] onto [a, b]: the same mapping as logScale in src/render/svg.ts. */
function logScale(lo, hi, a, b) {
  const l0 = Math.log1p(Math.max(0, lo));
  const l1 = Math.log1p(Math.max(0, hi));
  return (v) => (l1 > l0 ? a + ((Math.log1p(Math.max(0, v)) - l0) / (l1 - l0)) * (b - a) : (a + b) / 2);
}

const clamp = (v, a, b) => Math.min(Math.max(v, Math.min(a, b)), Math.max(a, b));

/** Moves the map's "this customer" marker to the customer's recency and monetary value. */
function placeMarker(values) {
  const svg = document.getElementById('chart-centroids');
  if (!svg) return;
  const d = (name) => Number(svg.dataset[name]);
  const x = logScale(d('r0'), d('r1'), d('x0'), d('x1'))(values.recency);
  const y = logScale(d('m0'), d('m1'), d('y0'), d('y1'))(values.monetary);
  const marker = svg.querySelector('.you');
  marker.setAttribute('transform', `translate(${clamp(x, d('x0'), d('x1')).toFixed(2)} ${clamp(y, d('y0'), d('y1')).toFixed(2)})`);
  marker.setAttribute('visibility', 'visible');
}

/** Shows the customer's values in the centroid table and marks the row of its segment. */
function markRow(values, cluster) {
  const you = document.getElementById('you-row');
  for (const cell of you.querySelectorAll('[data-field]')) cell.textContent = String(values[cell.dataset.field]);
  you.hidden = false;
  for (const row of document.querySelectorAll('#centroid-table tr[data-cluster]')) {
    row.classList.toggle('assigned', Number(row.dataset.cluster) === cluster);
  }
}

/** The description and action of a segment, from the segment table of the page. */
function segmentWords(cluster) {
  const row = document.querySelectorAll('table.segments tbody tr')[cluster];
  if (!row) return '';
  const words = row.querySelectorAll('td.words');
  return words.length === 2 ? `${words[0].textContent} — suggested action: ${words[1].textContent}` : '';
}

async function lookUp(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const answer = document.getElementById('answer');
  const detail = document.getElementById('answer-detail');
  const values = {};
  for (const name of ['recency', 'frequency', 'monetary']) values[name] = Number(form.elements[name].value);
  answer.classList.remove('error');
  answer.textContent = 'Looking up…';
  detail.textContent = '';
  try {
    const response = await fetch('/segment', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) });
    const body = await response.json();
    if (!response.ok) {
      answer.classList.add('error');
      answer.textContent = `Not looked up: ${body.message || response.statusText}`;
      return;
    }
    answer.textContent = `Segment: ${body.segment} (cluster ${body.cluster})`;
    answer.dataset.cluster = String(body.cluster);
    detail.textContent = segmentWords(body.cluster);
    placeMarker(values);
    markRow(values, body.cluster);
  } catch (error) {
    answer.classList.add('error');
    answer.textContent = `Not looked up: ${error.message}`;
  }
}

/** The answer of POST /clv for the values of the lifetime-value form (present when the model has a clv section). */
async function predict(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const answer = document.getElementById('clv-answer');
  const values = {};
  for (const name of ['frequency', 'recency', 'T', 'monetary_value']) values[name] = Number(form.elements[name].value);
  answer.classList.remove('error');
  answer.removeAttribute('data-clv');
  answer.textContent = 'Predicting…';
  try {
    const response = await fetch('/clv', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values) });
    const body = await response.json();
    if (!response.ok) {
      answer.classList.add('error');
      answer.textContent = `Not predicted: ${body.message || response.statusText}`;
      return;
    }
    const f = (n, digits) => (n === null || n === undefined ? '—' : Number(n).toFixed(digits));
    answer.textContent = `P(alive) ${f(body.p_alive, 3)} · expected purchases ${f(body.expected_purchases, 3)} · expected spend ${f(body.expected_spend, 2)} · CLV ${f(body.clv, 2)}`;
    answer.dataset.clv = String(body.clv);
  } catch (error) {
    answer.classList.add('error');
    answer.textContent = `Not predicted: ${error.message}`;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('lookup-form');
  if (form) form.addEventListener('submit', lookUp);
  const clvForm = document.getElementById('clv-form');
  if (clvForm) clvForm.addEventListener('submit', predict);
});
