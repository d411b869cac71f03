/* Vindplaats search widget: one <script> and one <div data-vindplaats> put the
 * network's search on any website (docs/embed.md). No framework, no external
 * assets; talks to the Vindplaats host it was loaded from (CORS). */
(function () {
'use strict';
var W = window, D = document;
if (W.Vindplaats) { W.Vindplaats.init(); return; }

var me = D.currentScript, ss = D.getElementsByTagName('script'), i;
for (i = ss.length - 1; !me && i >= 0; i--) if (/\/widget\.js([?#]|$)/.test(ss[i].src)) me = ss[i];
var BASE = me && me.src ? me.src.replace(/[?#].*$/, '').replace(/[^\/]*$/, '') : '/';
var FILTERS = ['type', 'library', 'branch', 'municipality', 'proposition', 'societal_task', 'audience', 'channel', 'language'];
var FACETS = ['type', 'proposition', 'audience', 'channel', 'library'];
var TZ = 'Europe/Amsterdam', SHOW = 6, CAP = 10000, L_SORTS = ['relevance', 'date', 'distance'];
var NAMES = {library: {}, proposition: {}, branch: {}}, SIGNALS = true, count = 0;

var T = {
  nl: {
    label: 'Zoek in het aanbod van de bibliotheek', ph: 'Bijvoorbeeld: digicafé, voorlezen, taalhuis',
    go: 'Zoeken', sugg: 'Suggesties',
    kinds: {proposition: 'aanbod', title: 'titel', subject: 'onderwerp', creator: 'maker'},
    nsug: '{n} suggesties, kies met pijltje omlaag en Enter', nsug1: '1 suggestie, kies met pijltje omlaag en Enter',
    res: '{n} resultaten', res1: '1 resultaat', about: 'ongeveer {n} resultaten', none: 'Geen resultaten',
    loading: 'Zoeken…', more: 'Meer resultaten', shown: '{a} van {b} getoond', added: '{n} meer geladen, {a} van {b} getoond',
    filters: 'Filters', active: '{n} actief', all: 'Toon alle {n}', fewer: 'Toon minder',
    leg: {type: 'Soort', library: 'Bibliotheek', branch: 'Vestiging', municipality: 'Gemeente', proposition: 'Aanbod',
      societal_task: 'Maatschappelijke taak', audience: 'Doelgroep', channel: 'Vorm', language: 'Taal'},
    types: {course: 'Cursus', event: 'Evenement', activity: 'Activiteit', ebook: 'E-book', audiobook: 'Luisterboek',
      book: 'Boek', service: 'Dienst'},
    chan: {online: 'Online', offline: 'Op locatie', hybrid: 'Online en op locatie'},
    aud: {baby: "Baby's", peuter: 'Peuters', kleuter: 'Kleuters', jeugd: 'Jeugd', ouders: 'Ouders', volwassenen: 'Volwassenen',
      senioren: 'Senioren', nieuwkomers: 'Nieuwkomers', laaggeletterden: 'Laaggeletterden', werkzoekenden: 'Werkzoekenden',
      iedereen: 'Iedereen'},
    when: 'Wanneer: ', where: 'Waar: ', price: 'Prijs: ', free: 'Gratis', km: '{d} km van u',
    avail: 'Beschikbaar bij {n} bibliotheken', newwin: '(opent in een nieuw venster)',
    ser: 'Nog {n} data: ', ser1: 'Nog 1 datum: ', offered: '{h} ({n} keer aangeboden)',
    dym: 'Bedoelde u: ', corr: 'Resultaten voor ‘{c}’. ', inst: 'Zoek in plaats daarvan naar ‘{q}’',
    some: 'Niet alle woorden gevonden: {w}. U ziet resultaten met een deel van de woorden.',
    some0: 'Geen resultaten met alle woorden. U ziet resultaten met een deel ervan.',
    und: {place: 'in {v}', date: 'op {v}', audience: 'voor {v}'}, undx: 'Niet {t}', to: ' t/m ',
    nothing: 'Niets gevonden voor ‘{q}’.', nothing0: 'Niets gevonden.',
    without: 'Zoek zonder filter ‘{f}’ ({n} resultaten)', prop: 'Bekijk al het aanbod ‘{p}’',
    tips: 'Probeer andere of minder woorden, of minder filters.', clear: 'Alle filters wissen',
    err: 'Zoeken lukt nu niet. Probeer het zo opnieuw.', retry: 'Opnieuw proberen',
    rec: 'Aanbevolen voor u', recnear: 'In de buurt van postcode {p}, en online', why: 'Waarom: ',
    choose: 'Plaats en volgorde', place: 'Postcode of plaats', radius: 'Afstand', within: 'binnen {n} km', order: 'Volgorde',
    sorts: {relevance: 'Best passend', date: 'Eerstvolgende datum', distance: 'Dichtstbij'}, freeonly: 'Alleen gratis',
    noplace: 'Deze plaats kennen we niet, of er zijn meer plaatsen met deze naam. Vul een postcode in (bijvoorbeeld 3811).',
    nodist: 'Sorteren op afstand kan alleen met een postcode of plaats.',
    counts: 'De getallen tellen aanbiedingen: één resultaat kan meer data of edities hebben.'
  },
  en: {
    label: 'Search everything the library offers', ph: 'For example: story time',
    go: 'Search', sugg: 'Suggestions',
    kinds: {proposition: 'programme', title: 'title', subject: 'subject', creator: 'author'},
    nsug: '{n} suggestions, use arrow down and Enter', nsug1: '1 suggestion, use arrow down and Enter',
    res: '{n} results', res1: '1 result', about: 'about {n} results', none: 'No results',
    loading: 'Searching…', more: 'More results', shown: '{a} of {b} shown', added: '{n} more loaded, {a} of {b} shown',
    filters: 'Filters', active: '{n} active', all: 'Show all {n}', fewer: 'Show fewer',
    leg: {type: 'Type', library: 'Library', branch: 'Branch', municipality: 'Municipality', proposition: 'Programme',
      societal_task: 'Societal task', audience: 'Audience', channel: 'Format', language: 'Language'},
    types: {course: 'Course', event: 'Event', activity: 'Activity', ebook: 'E-book', audiobook: 'Audiobook',
      book: 'Book', service: 'Service'},
    chan: {online: 'Online', offline: 'In person', hybrid: 'Online and in person'},
    aud: {baby: 'Babies', peuter: 'Toddlers', kleuter: 'Pre-schoolers', jeugd: 'Young people', ouders: 'Parents',
      volwassenen: 'Adults', senioren: 'Seniors', nieuwkomers: 'Newcomers', laaggeletterden: 'Adult learners',
      werkzoekenden: 'Job seekers', iedereen: 'Everyone'},
    when: 'When: ', where: 'Where: ', price: 'Price: ', free: 'Free', km: '{d} km from you',
    avail: 'Available at {n} libraries', newwin: '(opens in a new window)',
    ser: '{n} more dates: ', ser1: '1 more date: ', offered: '{h} (offered {n} times)',
    dym: 'Did you mean: ', corr: 'Showing results for ‘{c}’. ', inst: 'Search instead for ‘{q}’',
    some: 'Not all words found: {w}. Showing results with some of the words.',
    some0: 'No results with every word. Showing results with some of them.',
    und: {place: 'in {v}', date: 'on {v}', audience: 'for {v}'}, undx: 'Not {t}', to: ' to ',
    nothing: 'Nothing found for ‘{q}’.', nothing0: 'Nothing found.',
    without: 'Search without the ‘{f}’ filter ({n} results)', prop: 'See everything in ‘{p}’',
    tips: 'Try other or fewer words, or fewer filters.', clear: 'Clear all filters',
    err: 'Searching is not possible right now. Please try again shortly.', retry: 'Try again',
    rec: 'Recommended for you', recnear: 'Near postcode {p}, and online', why: 'Why: ',
    choose: 'Place and order', place: 'Postcode or town', radius: 'Distance', within: 'within {n} km', order: 'Order',
    sorts: {relevance: 'Best match', date: 'Soonest date', distance: 'Nearest'}, freeonly: 'Free only',
    noplace: 'We do not know this place, or several places have this name. Enter a postcode (for example 3811).',
    nodist: 'Sorting by distance needs a postcode or town.',
    counts: 'The numbers count offerings: one result may have several dates or editions.'
  }
};

/* h(tag, {property, 'attr-ibute', role, on: {event: fn}}, text or [nodes]) */
function h(tag, o, kids) {
  var t = tag.split('.'), e = D.createElement(t.shift()), k;
  if (t.length) e.className = t.join(' ');
  for (k in o || {}) {
    if (k === 'on') for (var ev in o.on) e.addEventListener(ev, o.on[ev]);
    else if (/-|^role$/.test(k)) e.setAttribute(k, o[k]);
    else e[k] = o[k];
  }
  [].concat(kids == null ? [] : kids).forEach(x => {
    if (x != null && x !== '') e.appendChild(typeof x === 'object' ? x : D.createTextNode(x));
  });
  return e;
}
function str(v) { return typeof v === 'string' ? v : ''; }
function fm(s, o) { return s.replace(/\{(\w)\}/g, (m, k) => o[k]); }
function qs(p) {
  return p.map(x => encodeURIComponent(x[0]) + '=' + encodeURIComponent(x[1])).join('&');
}
function fold(s) { return str(s).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''); }
function pretty(id) {
  return str(id).split(/[-_]+/).map((w, i) => {
    return i && /^(de|het|van|en|op|in|aan|voor)$/.test(w) ? w : w.charAt(0).toUpperCase() + w.slice(1);
  }).join(' ');
}
function copyF(f) { var o = {}, k; for (k in f) o[k] = f[k].slice(); return o; }
function nfilters(f) { var n = 0, k; for (k in f) n += f[k].length; return n; }
function safeUrl(u) {
  try { var x = new URL(str(u), location.href); return /^https?:$/.test(x.protocol) ? x.href : ''; }
  catch (e) { return ''; }
}
function btn(cls, text, fn) { return h('button', {type: 'button', className: cls, on: {click: fn}}, text); }
function expanded(e, v) { e.setAttribute('aria-expanded', String(v)); }
function learn(list) {
  list.forEach(r => {
    ['library', 'proposition', 'branch'].forEach(k => {
      if (str(r[k]) && str(r[k + '_name'])) NAMES[k][r[k]] = r[k + '_name'];
    });
  });
}
function results(d) { return d && Array.isArray(d.results) ? d.results.filter(Boolean) : []; }

/* One request per slot at a time: a new one aborts the stale one (answer undefined). */
function req(w, slot, path, p) {
  if (w[slot] && w[slot].c) w[slot].c.abort();
  var tok = w[slot] = {c: W.AbortController ? new AbortController() : null};
  return fetch(w.base + path + '?' + qs(p), {signal: tok.c && tok.c.signal, credentials: 'omit'}).then(r => {
    return r.json().then(d => ({ok: r.ok, status: r.status, d: d}), () => ({status: r.status}));
  }, () => null).then(x => {
    if (w[slot] !== tok) return undefined;
    w[slot] = null;
    return x || {status: 0};
  });
}
function stop(w, slot) { if (w[slot] && w[slot].c) w[slot].c.abort(); w[slot] = null; }

/* Clicks as signals: fetch keepalive (survives leaving the page), else sendBeacon.
 * text/plain keeps it a simple CORS request; failures are ignored. */
function signal(w, r, fromRec) {
  if (!SIGNALS || w.nosig || !str(r.id)) return;
  var ev = {kind: 'click', offering: r.id}, seg = w.segment || w.recSeg;
  if (!fromRec && w.qid) ev.query_id = w.qid;
  if (seg) ev.segment = seg;
  var body = JSON.stringify({events: [ev]}), url = w.base + 'v1/signals';
  try {
    fetch(url, {method: 'POST', body: body, keepalive: true, credentials: 'omit',
      headers: {'Content-Type': 'text/plain;charset=UTF-8'}})
      .then(x => { if (x.status === 404 || x.status === 405) SIGNALS = false; }, () => {});
  } catch (e) {
    try { navigator.sendBeacon(url, body); } catch (e2) { /* ignored */ }
  }
}

function Widget(root) {
  var w = this, ds = root.dataset, lang = ds.lang === 'en' ? 'en' : 'nl', hl = parseInt(ds.headingLevel, 10);
  Object.assign(w, {root: root, id: 'vp' + (++count), lang: lang, L: T[lang], loc: lang === 'en' ? 'en-GB' : 'nl-NL',
    base: ds.api ? ds.api.replace(/\/*$/, '/') : BASE, prefer: str(ds.library).trim(), postcode: str(ds.postcode).trim(),
    segment: str(ds.segment).trim(), target: /^_(blank|self|top|parent)$/.test(ds.target) ? ds.target : '',
    per: Math.min(50, Math.max(1, parseInt(ds.perPage, 10) || 10)), hl: hl >= 1 && hl <= 5 ? hl : 2,
    sync: ds.syncUrl != null && ds.syncUrl !== 'false', defaults: {}, open: {}, opts: [], act: -1, dropped: {},
    msg: {s: '', r: ''}});
  FILTERS.forEach(k => {
    var v = str(ds[k === 'library' ? 'filterLibrary' : k.replace(/_(\w)/g, (m, c) => c.toUpperCase())])
      .split(/[\s,]+/).filter(Boolean);
    if (v.length) w.defaults[k] = v;
  });
  w.st = {q: '', f: copyF(w.defaults), o: {place: '', radius: '25', sort: 'relevance', free: false}};
  w.opt = ds.options !== 'false';
  w.nf = new Intl.NumberFormat(w.loc);
  w.fD = new Intl.DateTimeFormat(w.loc, {weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: TZ});
  w.fT = new Intl.DateTimeFormat(w.loc, {hour: '2-digit', minute: '2-digit', timeZone: TZ});
  build(w, ds);
  if (w.sync) fromUrl(w);
  if (w.postcode || w.segment) recommend(w);
}

function build(w, ds) {
  var L = w.L, id = w.id, r = w.root, hn = 'h' + w.hl;
  w.q = h('input.vp-q', {id: id + '-q', type: 'search', name: 'q', maxLength: 200, autocomplete: 'off',
    spellcheck: false, placeholder: str(ds.placeholder) || L.ph, enterKeyHint: 'search', role: 'combobox',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': id + '-lb',
    on: {input: () => { typed(w); }, keydown: e => { key(w, e); }, blur: () => { close(w); }}});
  w.lb = h('ul.vp-lb', {id: id + '-lb', role: 'listbox', 'aria-label': L.sugg, hidden: true, on: {
    mousedown: e => { e.preventDefault(); },
    click: e => {
      var o = e.target.closest && e.target.closest('[role=option]');
      if (o) choose(w, +o.getAttribute('data-i'));
    }}});
  var form = h('form.vp-form', {role: 'search', 'aria-labelledby': id + '-l', noValidate: true, on: {
    submit: e => {
      e.preventDefault();
      clearTimeout(w.timer);
      /* a suggestion answer still on its way would open the list over the results */
      stop(w, 'sa');
      close(w);
      readOpts(w);
      search(w, {q: w.q.value.trim()});
    }}}, [
    h('label.vp-label', {id: id + '-l', htmlFor: id + '-q'}, str(ds.label) || L.label),
    h('div.vp-bar', 0, [h('div.vp-combo', 0, [w.q, w.lb]),
      h('button.vp-go', {type: 'submit'}, L.go)]), ds.options === 'false' ? null : options(w)]);
  w.live = h('div.vp-sr', {role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true'});
  w.tog = btn('vp-ftog', '', () => {
    var o = w.tog.getAttribute('aria-expanded') !== 'true';
    expanded(w.tog, o);
    w.fac.classList.toggle('vp-open', o);
  });
  expanded(w.tog, false);
  w.tog.setAttribute('aria-controls', id + '-fac');
  w.fac = h('div.vp-fac', {id: id + '-fac'});
  w.err = h('div.vp-err', {role: 'alert'});
  w.note = h('div.vp-note');
  w.head = h(hn, {id: id + '-h', className: 'vp-count', tabIndex: -1});
  w.list = h('ol.vp-cards', {'aria-labelledby': id + '-h'});
  w.shownEl = h('p.vp-shown');
  w.more = btn('vp-more', L.more, () => { search(w, null, true); });
  w.more.hidden = true;
  w.res = h('div.vp-res', 0, [w.err, w.note, w.head, w.list,
    h('div.vp-morebox', 0, [w.shownEl, w.more])]);
  w.main = h('div.vp-main', {hidden: true}, [w.tog, w.fac, w.res]);
  w.recFor = h('p.vp-mut');
  w.recList = h('ul.vp-cards.vp-grid');
  w.rec = h('section.vp-rec', {hidden: true, 'aria-labelledby': id + '-rh'},
    [h(hn, {id: id + '-rh', className: 'vp-rech'}, L.rec), w.recFor, w.recList]);
  r.textContent = '';
  r.classList.add('vp');
  r.lang = w.lang;
  [form, w.live, w.main, w.rec].forEach(x => { r.appendChild(x); });
  togText(w);
}

/* where, how far, in which order, only free: each change searches again */
function options(w) {
  var L = w.L, id = w.id, ch = {change: () => { readOpts(w); search(w, {}); }};
  function sel(name, list) { return h('select.vp-sel', {id: id + '-' + name, name: name, on: ch}, list); }
  w.place = h('input.vp-place', {id: id + '-place', type: 'text', name: 'place', maxLength: 100, size: 14,
    autocomplete: 'postal-code', on: {change: () => { readOpts(w); search(w, {q: w.q.value.trim()}); }}});
  w.rad = sel('radius_km', ['5', '10', '25', '50', '100'].map(n => h('option', {value: n, selected: n === '25'}, fm(L.within, {n: n}))));
  w.sort = sel('sort', ['relevance', 'date', 'distance'].map(k => h('option', {value: k}, L.sorts[k])));
  w.free = h('input.vp-free', {id: id + '-free', type: 'checkbox', name: 'free', value: 'true', on: ch});
  function opt(f, label, cls) { return h('p.vp-ch' + (cls || ''), 0, [h('label', {htmlFor: f.id}, label), f]); }
  w.choices = h('div.vp-opts', {id: id + '-opts'}, [opt(w.place, L.place), opt(w.rad, L.radius), opt(w.sort, L.order),
    h('p.vp-ch.vp-check', 0, [w.free, ' ', h('label', {htmlFor: w.free.id}, L.freeonly)])]);
  /* on a narrow box the choices fold behind a button, as the filters do */
  w.otog = btn('vp-otog', '', () => { openOpts(w, w.otog.getAttribute('aria-expanded') !== 'true'); });
  w.otog.setAttribute('aria-controls', w.choices.id);
  expanded(w.otog, false);
  optText(w);
  return h('div', 0, [w.otog, w.choices]);
}
function openOpts(w, o) {
  expanded(w.otog, o);
  w.choices.classList.toggle('vp-open', o);
}
function optText(w) {
  var o = w.st.o, n = !!o.place + (o.sort !== 'relevance') + o.free;
  w.otog.textContent = w.L.choose + (n ? ' (' + fm(w.L.active, {n: n}) + ')' : '');
}
function readOpts(w) {
  if (!w.place) return;
  w.st.o = {place: w.place.value.trim(), radius: w.rad.value, sort: w.sort.value, free: w.free.checked};
  w.place.removeAttribute('aria-invalid');
  optText(w);
}
function showOpts(w) {
  if (!w.place) return;
  var o = w.st.o;
  w.place.value = o.place;
  w.rad.value = o.radius;
  w.sort.value = o.sort;
  w.free.checked = o.free;
  optText(w);
}

/* the polite live region says the suggestions and the results together */
function say(w, k, t) {
  w.msg[k] = t;
  w.live.textContent = [w.msg.s, w.msg.r].filter(Boolean).join('. ');
}

/* typing: after 150 ms of quiet, ask for suggestions and results together */
function typed(w) {
  clearTimeout(w.timer);
  var t = w.q.value.trim();
  if (!t) {
    close(w);
    stop(w, 'sa');
    stop(w, 'ga');
    w.st.q = '';
    w.main.hidden = true;
    w.list.textContent = '';
    say(w, 'r', '');
    if (w.sync) toUrl(w);
    return;
  }
  w.timer = setTimeout(() => {
    if (t.length < 2) return close(w);
    suggest(w, t);
    if (t !== w.st.q || w.main.hidden) search(w, {q: t});
  }, 150);
}

function suggest(w, t) {
  req(w, 'sa', 'v1/suggest', [['q', t], ['limit', 8]]).then(x => {
    if (!x) return;
    var list = (x.ok && x.d && Array.isArray(x.d.suggestions) ? x.d.suggestions : []).filter(s => s && str(s.text));
    if (w.q.value.trim() !== t || D.activeElement !== w.q || !list.length) return close(w);
    w.lb.textContent = '';
    w.opts = list;
    w.act = -1;
    list.forEach((s, i) => {
      w.lb.appendChild(h('li.vp-opt', {id: w.id + '-o' + i, role: 'option', 'aria-selected': 'false',
        'data-i': i}, [h('span.vp-otext', 0, s.text), ' ',
        w.L.kinds[s.kind] ? h('span.vp-kind', 0, w.L.kinds[s.kind]) : null]));
    });
    w.lb.hidden = false;
    expanded(w.q, true);
    w.q.removeAttribute('aria-activedescendant');
    say(w, 's', list.length === 1 ? w.L.nsug1 : fm(w.L.nsug, {n: list.length}));
  });
}

function close(w) {
  if (w.lb.hidden) return;
  w.lb.hidden = true;
  w.act = -1;
  expanded(w.q, false);
  w.q.removeAttribute('aria-activedescendant');
  say(w, 's', '');
}

function move(w, i) {
  var os = w.lb.children, o = os[i];
  if (os[w.act]) os[w.act].setAttribute('aria-selected', 'false');
  w.act = i;
  o.setAttribute('aria-selected', 'true');
  w.q.setAttribute('aria-activedescendant', o.id);
  if (o.scrollIntoView) o.scrollIntoView({block: 'nearest'});
}

function choose(w, i) {
  var s = w.opts[i];
  if (!s) return;
  clearTimeout(w.timer);
  stop(w, 'sa');
  w.q.value = s.text;
  close(w);
  search(w, {q: s.text});
}

/* the combobox keys of the WAI-ARIA authoring practices (list autocomplete) */
function key(w, e) {
  if (e.isComposing) return;
  var open = !w.lb.hidden, n = w.lb.children.length, v = w.q.value.trim();
  switch (e.key) {
    case 'ArrowDown': case 'Down':
      e.preventDefault();
      if (open) move(w, w.act + 1 >= n ? 0 : w.act + 1);
      else if (v.length > 1) suggest(w, v);
      break;
    case 'ArrowUp': case 'Up':
      if (open) { e.preventDefault(); move(w, w.act <= 0 ? n - 1 : w.act - 1); }
      break;
    case 'Enter':
      if (open && w.act >= 0) { e.preventDefault(); choose(w, w.act); }
      break;
    case 'Escape': case 'Esc':
      if (open) { e.preventDefault(); close(w); }
      else if (w.q.value) { e.preventDefault(); w.q.value = ''; typed(w); }
      break;
    case 'Tab':
      close(w);
  }
}

function search(w, ch, more) {
  if (ch) {
    if ('q' in ch) w.st.q = ch.q;
    if (ch.f) w.st.f = ch.f;
    if ('q' in ch) {
      w.asis = !!ch.asis;
      w.und = ch.und || null;
    }
  }
  var page = more ? w.page + 1 : 1, p = [['q', w.st.q]];
  if (w.asis) p.push(['spelling', 'false']);
  if (w.und) p.push(['understand', w.und.join(',') || 'none']);
  FILTERS.forEach(k => { (w.st.f[k] || []).forEach(v => { p.push([k, v]); }); });
  p.push(['page', page], ['per_page', w.per]);
  if (!more) p.push(['facets', 'all']);
  if (w.prefer) p.push(['prefer_library', w.prefer]);
  var o = w.st.o;
  /* a place the resident chose: within the radius; data-postcode only ranks and measures */
  if (o.place) p.push(['place', o.place], ['radius_km', o.radius]);
  else if (w.postcode) p.push(['postcode', w.postcode], ['radius_km', 1000]);
  if (o.sort === 'date' || o.sort === 'distance' && (o.place || w.postcode)) p.push(['sort', o.sort]);
  if (o.free) p.push(['free', 'true']);
  if (w.sync && !more) toUrl(w);
  w.main.hidden = false;
  busy(w, true);
  if (!w.list.firstChild && !more) w.head.textContent = w.L.loading;
  w.more.disabled = !!more;
  req(w, 'ga', 'v1/search', p).then(x => {
    if (!x) return;
    busy(w, false);
    w.more.disabled = false;
    if (x.ok && x.d && typeof x.d === 'object') render(w, x.d, more);
    else fail(w, x, more);
  });
}
function busy(w, b) {
  w.res.setAttribute('aria-busy', String(b));
  w.res.classList.toggle('vp-busy', b);
}

function fail(w, x, more) {
  var e = x.d && x.d.error || {}, par = str(e.parameter), L = w.L;
  /* a wrong data-* setting must not break the box: drop it once and search again */
  if (x.status === 400 && par && !w.dropped[par] && (par === 'postcode' || par === 'prefer_library' || w.defaults[par])) {
    w.dropped[par] = 1;
    console.warn('Vindplaats widget: ignoring a setting: ' + (e.message || par));
    if (par === 'postcode') w.postcode = '';
    else if (par === 'prefer_library') w.prefer = '';
    else { delete w.defaults[par]; delete w.st.f[par]; }
    return search(w, null, more);
  }
  w.err.textContent = '';
  if (x.status === 400 && (par === 'place' || par === 'sort') && w.place) {
    if (par === 'place') w.place.setAttribute('aria-invalid', 'true');
    openOpts(w, true);
    w.err.appendChild(h('p', null, par === 'place' ? L.noplace : L.nodist));
    w.list.textContent = '';
    w.head.textContent = '';
    w.more.hidden = true;
    w.shownEl.textContent = '';
    return;
  }
  w.err.appendChild(h('p', null, L.err + (x.status ? ' (' + x.status + (e.message ? ': ' + e.message : '') + ')' : '')));
  w.err.appendChild(btn('vp-btn', L.retry, () => { w.err.textContent = ''; search(w, null, more); }));
  if (!more) { w.head.textContent = ''; say(w, 'r', ''); }
}

function render(w, d, more) {
  var L = w.L, list = results(d), first = null;
  learn(list);
  w.err.textContent = '';
  w.page = Number(d.page) || (more ? w.page + 1 : 1);
  if (!more) {
    w.qid = str(d.query_id) || null;
    w.total = Math.max(0, Number(d.total) || 0);
    w.exact = d.total_exact !== false;
    w.offered = Math.max(0, Number(d.total_offerings) || 0);
    w.list.textContent = '';
    w.shown = 0;
    notes(w, d);
    facets(w, d.facets && typeof d.facets === 'object' ? d.facets : {});
  }
  list.forEach(r => {
    var li = card(w, r, false);
    first = first || li;
    w.list.appendChild(li);
  });
  w.shown += list.length;
  var t = w.total, n = w.nf.format(t), left = w.shown < t && w.page * w.per < CAP && list.length > 0;
  var head = !t ? L.none : !w.exact ? fm(L.about, {n: n}) : t === 1 ? L.res1 : fm(L.res, {n: n});
  /* a result may stand for several dates or editions: say how many offerings (facets count those) */
  if (t && w.offered > t) head = fm(L.offered, {h: head, n: w.nf.format(w.offered)});
  w.head.textContent = head;
  w.more.hidden = !left;
  w.shownEl.textContent = t > w.per || w.page > 1 ? fm(L.shown, {a: w.nf.format(w.shown), b: n}) : '';
  if (more) {
    say(w, 'r', fm(L.added, {n: list.length, a: w.nf.format(w.shown), b: n}));
    var a = first && first.querySelector('a');
    (a || w.head).focus();
  } else say(w, 'r', w.st.q ? head + ' – ' + w.st.q : head);
}

/* the spelling notices, and the zero-results help of the search-quality issue */
function notes(w, d) {
  var L = w.L, box = w.note, q = w.st.q, hp = d.help, dym = str(d.did_you_mean);
  box.textContent = '';
  var cr = d.corrected, mw = Array.isArray(d.missing_words) ? d.missing_words.filter(str) : [];
  if (cr && str(cr.to)) {
    box.appendChild(h('p.vp-hint', 0, [fm(L.corr, {c: cr.to}), btn('vp-link', fm(L.inst, {q: q}), () => {
      search(w, {q: q, asis: true});
      w.q.focus();
    })]));
  } else if (dym) {
    box.appendChild(h('p.vp-hint', 0, [L.dym, btn('vp-link', dym, () => {
      w.q.value = dym;
      search(w, {q: dym});
      w.q.focus();
    }), '?']));
  }
  chips(w, d.query && Array.isArray(d.query.understood) ? d.query.understood : []);
  if (d.matched === 'some') box.appendChild(h('p.vp-hint', 0, mw.length ? fm(L.some, {w: mw.join(', ')}) : L.some0));
  if (Number(d.total) > 0 || !hp) return;
  var ul = h('ul.vp-help'), wf = hp.without_filter, pr = hp.proposition;
  function add(x) { ul.appendChild(h('li', null, x)); }
  if (wf && w.st.f[wf.parameter] && Number(wf.total) > 0) {
    add(btn('vp-btn', fm(L.without, {f: L.leg[wf.parameter] || wf.parameter, n: w.nf.format(wf.total)}), () => {
      var f = copyF(w.st.f);
      delete f[wf.parameter];
      search(w, {f: f});
    }));
  }
  if (pr && str(pr.id)) {
    if (str(pr.name)) NAMES.proposition[pr.id] = pr.name;
    add(h('a.vp-a', {href: w.base + '?' + qs([['proposition', pr.id]]), on: {click: e => {
      if (e.button || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      w.q.value = '';
      search(w, {q: '', f: {proposition: [pr.id]}});
      w.head.focus();
    }}}, fm(L.prop, {p: str(pr.name) || pretty(pr.id)})));
  }
  if (nfilters(w.st.f)) add(btn('vp-btn', L.clear, () => { search(w, {f: {}}); }));
  box.appendChild(h('p.vp-hint', 0, q ? fm(L.nothing, {q: q}) : L.nothing0));
  box.appendChild(ul);
  box.appendChild(h('p.vp-mut', 0, L.tips));
}

/* what the words of q were taken for ("in Amersfoort ✕"): a chip removes it */
function chips(w, und) {
  var L = w.L, kinds = und.map(u => str(u.kind)), p = h('p.vp-hint');
  und.forEach(u => {
    var v = u.value, t;
    if (u.kind === 'date' && v && str(v.from)) {
      var f = new Intl.DateTimeFormat(w.loc, {weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC'});
      t = f.format(new Date(v.from)) + (v.to && v.to !== v.from ? L.to + f.format(new Date(v.to)) : '');
    } else if (u.kind === 'audience') t = (L.aud[v] || str(v)).toLowerCase();
    else t = str(u.label) || str(v).replace(/(^|[ -])\S/g, c => c.toUpperCase());
    if (!L.und[u.kind] || !t) return;
    var text = fm(L.und[u.kind], {v: t}), b = btn('vp-btn', text + ' ✕', () => {
      search(w, {q: w.st.q, und: kinds.filter(k => k !== u.kind)});
    });
    b.setAttribute('aria-label', fm(L.undx, {t: text}));
    p.appendChild(b);
    p.appendChild(document.createTextNode(' '));
  });
  if (p.firstChild) w.note.appendChild(p);
}

/* the widget's own words for controlled values, else the names the API gave (facet labels, results) */
function label(w, k, v) {
  var L = w.L;
  return k === 'type' ? L.types[v] || pretty(v) : k === 'channel' ? L.chan[v] || v
    : k === 'audience' ? L.aud[v] || pretty(v) : NAMES[k] && NAMES[k][v] || pretty(v);
}

function togText(w) {
  var n = nfilters(w.st.f);
  w.tog.textContent = w.L.filters + (n ? ' (' + fm(w.L.active, {n: n}) + ')' : '');
}

/* checkbox groups; rebuilt after every search, keeping the focus where it was */
function facets(w, fc) {
  var box = w.fac, a = D.activeElement, keep = a && box.contains(a) ? a.getAttribute('data-key') : null, focus = null;
  box.textContent = '';
  togText(w);
  FACETS.forEach(k => {
    var sel = w.st.f[k] || [], hidden = 0, vals = [], ul = h('ul');
    (Array.isArray(fc[k]) ? fc[k] : []).forEach(o => {
      if (o && str(o.value)) vals.push({v: o.value, c: +o.count || 0});
      if (o && str(o.value) && str(o.label) && NAMES[k]) NAMES[k][o.value] = o.label;
    });
    sel.forEach(v => { if (!vals.some(o => o.v === v)) vals.push({v: v, c: 0}); });
    if (!vals.length || vals.length === 1 && !sel.length) return;
    vals.forEach((o, i) => {
      var on = sel.indexOf(o.v) >= 0, cb;
      if (!w.open[k] && i >= SHOW && !on) return hidden++;
      cb = h('input', {type: 'checkbox', value: o.v, checked: on, 'data-key': k + '=' + o.v,
        on: {change: () => { toggle(w, k, o.v, cb.checked); }}});
      ul.appendChild(h('li', null, h('label', null, [cb, h('span.vp-fl', 0, label(w, k, o.v)),
        h('span.vp-n', 0, '(' + w.nf.format(o.c) + ')')])));
      if (keep === k + '=' + o.v) focus = cb;
    });
    var fs = h('fieldset.vp-fs', 0, [h('legend', null, w.L.leg[k]), ul]);
    if (hidden || w.open[k]) {
      var b = btn('vp-link vp-all', w.open[k] ? w.L.fewer : fm(w.L.all, {n: vals.length}), () => {
        w.open[k] = !w.open[k];
        facets(w, fc);
      });
      expanded(b, !!w.open[k]);
      b.setAttribute('data-key', 'all=' + k);
      if (keep === 'all=' + k) focus = b;
      fs.appendChild(b);
    }
    box.appendChild(fs);
  });
  if (box.firstChild) box.appendChild(h('p.vp-mut', 0, w.L.counts));
  if (focus) focus.focus();
}

function toggle(w, k, v, on) {
  var f = copyF(w.st.f), cur = (f[k] || []).filter(x => x !== v);
  if (on) cur.push(v);
  if (cur.length) f[k] = cur; else delete f[k];
  search(w, {f: f});
}

/* the next occurrence: "wo 3 dec. 2026, 10:00–12:00" in Dutch time */
function when(w, nx) {
  var s = nx && str(nx.start), e = nx && str(nx.end), timed = /T/.test(s), a = new Date(timed ? s : s + 'T12:00:00Z');
  if (!s || isNaN(a.getTime())) return '';
  var t = w.fD.format(a), b = /T/.test(e) ? new Date(e) : null;
  if (!timed) return t;
  t += ', ' + w.fT.format(a);
  if (b && b > a) t += w.fD.format(b) === w.fD.format(a) ? '–' + w.fT.format(b) : ' – ' + w.fD.format(b) + ', ' + w.fT.format(b);
  return t;
}

function card(w, r, rec) {
  var L = w.L, u = safeUrl(r.url), title = str(r.title) || '—', pn = str(r.proposition_name), ln = str(r.local_name);
  var ul = h('ul.vp-facts'), t = when(w, r.next), where = [], pr = r.price, money;
  function fact(cls, sr, x) { ul.appendChild(h('li', {className: cls}, [sr ? h('span.vp-sr', 0, sr) : null, x])); }
  if (u) {
    var once = e => { if (e.type === 'click' || e.button === 1) signal(w, r, rec); };
    title = h('a', {href: u, on: {click: once, auxclick: once}}, [title,
      w.target === '_blank' ? h('span.vp-sr', 0, ' ' + L.newwin) : null]);
    if (w.target) title.target = w.target;
    if (w.target === '_blank') title.rel = 'noopener';
  }
  if (t) fact('vp-when', L.when, h('time', {dateTime: r.next.start}, t));
  /* the other dates of the same activity, soonest first */
  var se = r.series && Array.isArray(r.series.next) ? r.series : null, sn = se ? Number(se.count) || 0 : 0;
  if (sn > 0) fact('vp-series', '', h('span', 0, [sn === 1 ? L.ser1 : fm(L.ser, {n: w.nf.format(sn)})].concat(se.next.slice(0, 3)
    .map((x, i) => [i ? '; ' : '', h('time', {dateTime: str(x && x.start)}, when(w, x))]).flat(), sn > 3 ? ' …' : '')));
  [str(r.branch_name) || (str(r.branch) ? label(w, 'branch', r.branch) : ''),
    str(r.library_name) || (str(r.library) ? label(w, 'library', r.library) : '')].forEach(x => {
    if (x && !where.some(y => fold(y).indexOf(fold(x)) >= 0)) where.push(x);
  });
  var km = r.distance_km, dist = typeof km === 'number' && r.channel !== 'online' ? fm(L.km, {d: (km < 0.1 ? '< ' : '') + w.nf.format(Math.max(km, 0.1))}) : '';
  if (where.length || dist) fact('vp-where', L.where, where.join(', ') + (where.length && dist ? ' · ' : '') + dist);
  if (pr && typeof pr.amount === 'number') {
    try { money = pr.amount === 0 ? L.free : new Intl.NumberFormat(w.loc, {style: 'currency', currency: str(pr.currency) || 'EUR'}).format(pr.amount); }
    catch (e) { money = String(pr.amount); }
    fact('vp-price', L.price, money);
  }
  /* available_at lists offerings; a library may offer a work twice (e-book and audiobook) */
  var av = Array.isArray(r.available_at) ? new Set(r.available_at.map(x => x && (x.library || x.id))).size : Number(r.available_at) || 0;
  if (av > 1) fact('vp-avail', '', fm(L.avail, {n: w.nf.format(av)}));
  var why = r.reason && str(r.reason.text);
  return h('li.vp-card', 0, [
    h('p.vp-kick', 0, [h('span.vp-badge', 0, L.types[r.type] || pretty(r.type)), ' ',
      str(r.channel) ? h('span.vp-chan', 0, L.chan[r.channel] || r.channel) : null]),
    h('h' + Math.min(6, w.hl + 1), {className: 'vp-title'}, title),
    pn || ln ? h('p.vp-prop', 0, [h('span.vp-sr', 0, L.leg.proposition + ': '),
      h('strong', null, ln || pn), ln && pn && fold(ln) !== fold(pn) ? ' (' + pn + ')' : null]) : null,
    str(r.snippet) ? snippet(h('p.vp-snip'), r.snippet) : null,
    ul.firstChild ? ul : null,
    why ? h('p.vp-why', 0, [h('strong', null, L.why), why]) : null]);
}

/* The snippet is HTML-escaped text whose only markup is <mark>: rebuild it as nodes. */
var ENT = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0'};
function snippet(node, s) {
  var m = null;
  s.split(/(<\/?mark>)/i).forEach(x => {
    if (/^<mark>$/i.test(x)) node.appendChild(m = h('mark'));
    else if (/^<\/mark>$/i.test(x)) m = null;
    else if (x) {
      (m || node).appendChild(D.createTextNode(x.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e) => {
        if (e.charAt(0) !== '#') return ENT.hasOwnProperty(e) ? ENT[e] : all;
        var c = /^#x/i.test(e) ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return c > 0 && c < 0x110000 && (c < 0xd800 || c > 0xdfff) ? String.fromCodePoint(c) : all;
      })));
    }
  });
  return node;
}

/* shown only when /v1/recommend answers with results; hidden otherwise.
 * The box's own filters (data-type, …) hold for recommendations too. The
 * segment stays out of sight: residents see why in facts (place, day, age). */
function recommend(w, skip) {
  var p = [['segment', w.segment], ['postcode', w.postcode], ['library', w.prefer]].filter(x => x[1] && x[0] !== skip);
  if (p.length === (w.prefer ? 1 : 0)) return;
  var f = [];
  FILTERS.forEach(k => { (w.defaults[k] || []).forEach(v => { f.push([k, v]); }); });
  req(w, 'ra', 'v1/recommend', p.concat(f, [['limit', 4]])).then(x => {
    var list = x && x.ok ? results(x.d) : [], seg = list.length && x.d.segment, par = x && x.d && x.d.error && x.d.error.parameter;
    if (!skip && x && x.status === 400 && /^(segment|postcode|library)$/.test(par)) return recommend(w, par);
    if (!list.length) return;
    learn(list);
    if (seg && str(seg.id)) w.recSeg = seg.id;
    w.recFor.textContent = w.postcode && skip !== 'postcode' ? fm(w.L.recnear, {p: w.postcode}) : '';
    w.recList.textContent = '';
    list.forEach(r => { w.recList.appendChild(card(w, r, true)); });
    w.rec.hidden = false;
  });
}

/* data-sync-url (the demo page): the search lives in the address bar, so
 * OpenSearch (/?q=…) and shared links work. */
function fromUrl(w) {
  var u = new URLSearchParams(location.search), q = (u.get('q') || '').trim(), f = copyF(w.defaults), any = !!q;
  FILTERS.forEach(k => {
    var v = u.getAll(k).filter(Boolean);
    if (v.length) { f[k] = v; any = true; }
  });
  var o = w.st.o, r = u.get('radius_km'), so = u.get('sort');
  if (w.place) {
    o.place = (u.get('place') || u.get('postcode') || '').trim();
    if (r && ['5', '10', '25', '50', '100'].indexOf(r) >= 0) o.radius = r;
    if (so && L_SORTS.indexOf(so) >= 0) o.sort = so;
    o.free = /^(true|1)$/.test(u.get('free') || '');
    any = any || !!o.place || o.free || o.sort !== 'relevance';
    showOpts(w);
  }
  if (!any) return;
  w.q.value = q;
  search(w, {q: q, f: f});
}
function toUrl(w) {
  var p = w.st.q ? [['q', w.st.q]] : [], o = w.st.o;
  if (!w.main.hidden || w.st.q) FILTERS.forEach(k => { (w.st.f[k] || []).forEach(v => { p.push([k, v]); }); });
  if (o.place) p.push(['place', o.place], ['radius_km', o.radius]);
  if (o.sort !== 'relevance') p.push(['sort', o.sort]);
  if (o.free) p.push(['free', 'true']);
  try { history.replaceState(history.state, '', location.pathname + (p.length ? '?' + qs(p) : '') + location.hash); }
  catch (e) { /* sandboxed frames */ }
}

/* Campaign landing pages (/q/{slug}): the server renders the title and the
 * results, so the page works without this script. Here "more results" and
 * the refining search load in place (the same URLs, asked for as JSON), with
 * the widget's cards. Their links go through /q/{slug}/click, which counts
 * the click itself: no signal is sent from here. */
function Campaign(root) {
  var w = {root: root, L: T.nl, lang: 'nl', loc: 'nl-NL', hl: 2, target: '', nosig: true};
  w.nf = new Intl.NumberFormat(w.loc);
  w.fD = new Intl.DateTimeFormat(w.loc, {weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: TZ});
  w.fT = new Intl.DateTimeFormat(w.loc, {hour: '2-digit', minute: '2-digit', timeZone: TZ});
  var form = root.querySelector('form'), head = root.querySelector('.vp-count[tabindex]');
  var list = head && root.querySelector('ol[aria-labelledby="' + head.id + '"]');
  var box = root.querySelector('.vp-morebox'), live = root.querySelector('[role=status]');
  var pinned = root.querySelector('.vp-pinned'), busy = false, start = null;
  if (!form || !head || !list || !box) return;
  function say(t) { if (live) live.textContent = t; }
  function get(url) {
    busy = true;
    root.setAttribute('aria-busy', 'true');
    return fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'}).then(r => {
      return r.ok ? r.json() : Promise.reject(r.status);
    }).then(d => { busy = false; root.removeAttribute('aria-busy'); return d; }, e => {
      busy = false;
      root.removeAttribute('aria-busy');
      say(w.L.err);
      throw e;
    });
  }
  function fill(d, append) {
    var t = Math.max(0, Number(d.total) || 0), first = null, per = Number(d.per_page) || 10, page = Number(d.page) || 1;
    if (!append) list.textContent = '';
    results(d).forEach(r => {
      var li = card(w, Object.assign({}, r, {url: r.click_url || r.url}), false);
      first = first || li;
      list.appendChild(li);
    });
    var head0 = !t ? w.L.none : t === 1 ? w.L.res1 : fm(w.L.res, {n: w.nf.format(t)});
    head.textContent = head0;
    box.textContent = '';
    var to = (page - 1) * per + results(d).length;
    if (!append || start === null) start = append ? to - list.children.length + 1 : (page - 1) * per + 1;
    if (t > per || page > 1) box.appendChild(h('p.vp-shown', 0, w.nf.format(to ? start : 0) + '–' + w.nf.format(to) + ' van ' + w.nf.format(t)));
    if (str(d.next)) box.appendChild(h('a.vp-more', {href: d.next, rel: 'next', on: {click: more}}, w.L.more));
    return first;
  }
  function more(e) {
    if (e.button || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    if (busy) return;
    get(e.currentTarget.href).then(d => {
      var first = fill(d, true), a = first && first.querySelector('a');
      say(fm(w.L.added, {n: results(d).length, a: w.nf.format(list.children.length), b: w.nf.format(Number(d.total) || 0)}));
      (a || head).focus();
    }, () => {});
  }
  var m = box.querySelector('a.vp-more');
  if (m) m.addEventListener('click', more);
  form.addEventListener('submit', e => {
    e.preventDefault();
    if (busy) return;
    var p = [], url;
    new FormData(form).forEach((v, k) => { if (k !== 'q' || String(v).trim()) p.push([k, String(v).trim()]); });
    url = form.getAttribute('action') + (p.length ? '?' + qs(p) : '');
    get(url).then(d => {
      fill(d, false);
      if (pinned) pinned.hidden = !!str(d.q);
      try { history.replaceState(history.state, '', url); } catch (x) { /* sandboxed frames */ }
      say(head.textContent + (str(d.q) ? ' – ' + d.q : ''));
      head.focus();
    }, () => {});
  });
}

function init() {
  var all = D.querySelectorAll('[data-vindplaats]'), j;
  for (j = 0; j < all.length; j++) {
    if (all[j].vpWidget) continue;
    try { all[j].vpWidget = new Widget(all[j]); }
    catch (e) { console.error('Vindplaats widget:', e); }
  }
  all = D.querySelectorAll('[data-vindplaats-campaign]');
  for (j = 0; j < all.length; j++) {
    if (all[j].vpCampaign) continue;
    try { all[j].vpCampaign = new Campaign(all[j]); }
    catch (e) { console.error('Vindplaats campaign page:', e); }
  }
}

/* Our stylesheet: use the page's <link> when there is one, else add it and build
 * the widgets once it has loaded (no flash of unstyled boxes). */
function start() {
  var ls = D.querySelectorAll('link[rel~="stylesheet"]'), j, done = false, l;
  for (j = 0; j < ls.length; j++) if (/\/widget\.css([?#]|$)/.test(ls[j].href)) return init();
  function go() { if (!done) { done = true; init(); } }
  l = h('link', {rel: 'stylesheet', href: BASE + 'widget.css', onload: go, onerror: go});
  setTimeout(go, 3000);
  (D.head || D.documentElement).appendChild(l);
}

W.Vindplaats = {init: init, version: 1};
if (D.readyState === 'loading') D.addEventListener('DOMContentLoaded', start); else start();
}());
