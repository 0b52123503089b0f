// otpj dashboard: renders the snapshots and events the server sends (/events). Every value is
// put in the page as text (textContent), never as HTML.
'use strict';

let sortKey = 'mailbox';
let last = null;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function pidLink(pid) {
  if (!pid) return el('span', '—');
  const a = el('a', pid);
  a.href = '/process?pid=' + encodeURIComponent(pid);
  return a;
}

function renderTree(tree) {
  const ul = el('ul', null, 'tree');
  const root = el('li', null, 'sup');
  root.dataset.pid = tree.pid;
  root.append(el('span', tree.name ? tree.name + ' ' : ''), pidLink(tree.pid));
  const kids = el('ul', null, 'tree');
  for (const c of tree.children) {
    const li = el('li');
    li.dataset.childId = c.id;
    if (c.pid) li.dataset.pid = c.pid;
    li.append(el('span', c.id + ' ', c.type === 'SUPERVISOR' ? 'sup' : ''), pidLink(c.pid),
      el('span', ' ' + c.status, 'status-' + c.status));
    if (c.name) li.append(el('span', ' (' + c.name + ')'));
    if (c.mailbox) li.append(el('span', ' mailbox ' + c.mailbox));
    if (c.unreachable) li.append(el('span', ' unreachable: ' + c.unreachable, 'bad'));
    if (c.subtree) li.append(renderTree(c.subtree).firstChild.lastChild);
    kids.append(li);
  }
  root.append(kids);
  ul.append(root);
  return ul;
}

function renderProcesses(rows) {
  const body = document.querySelector('#processes tbody');
  const sorted = rows.slice().sort((a, b) => (b[sortKey] ?? -1) - (a[sortKey] ?? -1));
  body.replaceChildren(...sorted.map(p => {
    const tr = el('tr');
    tr.dataset.pid = p.pid;
    const pid = el('td'); pid.append(pidLink(p.pid));
    tr.append(pid, el('td', p.name ?? ''), el('td', p.status, 'status-' + p.status),
      el('td', p.behaviour ? p.behaviour.replace(/^.*\./, '') : ''), el('td', p.callback ?? ''),
      el('td', p.mailbox, 'num'), el('td', p.rate ?? '', 'num'), el('td', p.handled ?? '', 'num'));
    return tr;
  }));
  for (const th of document.querySelectorAll('#processes th.sortable')) {
    th.textContent = th.dataset.key === 'rate' ? 'msg/s' : th.dataset.key;
    if (th.dataset.key === sortKey) th.textContent += ' ▾';
  }
}

function crashRow(c, fresh) {
  const tr = el('tr', null, fresh ? 'fresh' : '');
  tr.dataset.pid = c.pid;
  const pid = el('td'); pid.append(pidLink(c.pid));
  tr.append(el('td', c.time.replace('T', ' ').replace(/\..*$/, '')), pid, el('td', c.name ?? ''),
    el('td', c.behaviour ? c.behaviour.replace(/^.*\./, '') : 'process'), el('td', c.reason ?? '?'));
  return tr;
}

function restartRow(r, fresh) {
  const tr = el('tr', null, fresh ? 'fresh' : '');
  const sup = el('td'); sup.append(pidLink(r.supervisor));
  tr.append(el('td', r.time.replace('T', ' ').replace(/\..*$/, '')), sup, el('td', r.child),
    el('td', r.kind === 'gave_up' ? 'gave up' : ((r.oldPid ?? '?') + ' → ' + (r.newPid ?? '?')), r.kind === 'gave_up' ? 'bad' : ''),
    el('td', r.reason ?? '?'));
  return tr;
}

function render(s) {
  last = s;
  document.getElementById('node').textContent = s.node;
  document.getElementById('count').textContent = s.processCount;
  document.getElementById('updated').textContent = new Date(s.time).toLocaleTimeString();
  document.getElementById('shown').textContent = s.shown < s.processCount ? '(the ' + s.shown + ' with the longest mailboxes)' : '';
  const trees = document.getElementById('trees');
  trees.replaceChildren(...s.trees.map(renderTree));
  if (s.trees.length === 0) trees.textContent = trees.dataset.empty;
  renderProcesses(s.processes);
  document.querySelector('#crashes tbody').replaceChildren(...s.crashes.map(c => crashRow(c, false)));
  document.querySelector('#restarts tbody').replaceChildren(...s.restarts.map(r => restartRow(r, false)));
}

function connect() {
  const status = document.getElementById('connection');
  const source = new EventSource('/events');
  source.addEventListener('open', () => { status.textContent = 'live'; status.className = 'good'; });
  source.addEventListener('error', () => { status.textContent = 'reconnecting'; status.className = 'bad'; });
  source.addEventListener('snapshot', e => render(JSON.parse(e.data)));
  source.addEventListener('crash', e => {
    document.querySelector('#crashes tbody').prepend(crashRow(JSON.parse(e.data), true));
  });
  source.addEventListener('restart', e => {
    document.querySelector('#restarts tbody').prepend(restartRow(JSON.parse(e.data), true));
  });
}

document.addEventListener('DOMContentLoaded', () => {
  for (const th of document.querySelectorAll('#processes th.sortable')) {
    th.addEventListener('click', () => { sortKey = th.dataset.key; if (last) renderProcesses(last.processes); });
  }
  // A first snapshot at once; then the live stream (which starts with one too).
  fetch('/api/snapshot', { cache: 'no-store' }).then(r => r.json()).then(s => { if (!last) render(s); }).catch(() => {});
  connect();
});
