// otpj dashboard, one process: polls /api/process and shows it; every value is set as text.
'use strict';

const pid = new URLSearchParams(location.search).get('pid');

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function link(p) {
  const a = el('a', p);
  a.href = '/process?pid=' + encodeURIComponent(p);
  return a;
}

function row(name, value) {
  const tr = el('tr');
  const td = el('td');
  if (value instanceof Node) td.append(value); else td.textContent = value ?? '—';
  tr.append(el('th', name), td);
  return tr;
}

function showCrash(c) {
  document.getElementById('crash').textContent = c
    ? c.time + '  ' + (c.behaviour || 'process') + '\nreason: ' + c.reason + (c.exception ? '\nexception: ' + c.exception : '')
    : 'none seen';
}

let refresh = 1000;

async function poll() {
  let r;
  try {
    r = await fetch('/api/process?pid=' + encodeURIComponent(pid), { cache: 'no-store' });
  } catch (e) {
    document.getElementById('alive').textContent = 'dashboard unreachable';
    setTimeout(poll, refresh * 3);
    return;
  }
  const p = await r.json();
  const alive = document.getElementById('alive');
  if (r.status === 404) {
    alive.textContent = 'exited: no longer alive on this node';
    alive.className = 'bad';
    document.getElementById('actions').hidden = true;
    showCrash(p.lastCrash);
    return; // a dead pid never comes back: stop polling
  }
  alive.textContent = 'alive';
  alive.className = 'good';
  const parent = p.parent ? link(p.parent) : '—';
  const links = el('span');
  p.links.forEach((l, i) => { if (i) links.append(', '); links.append(link(l)); });
  document.querySelector('#detail tbody').replaceChildren(
    row('name', p.name), row('status', p.status), row('behaviour', p.behaviour), row('current callback', p.callback),
    row('mailbox', p.mailbox), row('messages handled', p.handled), row('parent', parent),
    row('links', p.links.length ? links : 'none'), row('monitored by', p.monitoredBy), row('traps exits', p.trapExit));
  document.getElementById('state').textContent = p.state ?? (p.stateError ? 'unavailable (' + p.stateError + ')' : '— (not a server)');
  showCrash(p.lastCrash);
  document.getElementById('actions').hidden = !p.actions;
  setTimeout(poll, refresh);
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('pid').textContent = pid;
  document.getElementById('kill').addEventListener('click', async () => {
    let token = sessionStorage.getItem('otpj-token') || prompt('Action token');
    if (!token) return;
    const r = await fetch('/api/kill?pid=' + encodeURIComponent(pid), { method: 'POST', headers: { 'X-Otpj-Token': token } });
    const body = await r.json();
    if (r.ok) sessionStorage.setItem('otpj-token', token); else sessionStorage.removeItem('otpj-token');
    document.getElementById('actionResult').textContent = r.ok ? 'killed' : (body.error || ('HTTP ' + r.status));
  });
  poll();
});
