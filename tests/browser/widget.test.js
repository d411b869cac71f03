'use strict';
/* Browser tests of the search widget (api/static/widget.js), the demo page at /
 * and the widget embedded in a third-party page, as a resident would use them:
 * Debian's Chromium, headless, driven by playwright-core; axe-core for
 * accessibility. Started by run.sh, which passes everything in the environment:
 *   VP_INDEXER, VP_SERVER   the built programs
 *   VP_SAMPLE               data/sample/offerings.jsonl
 *   VP_ARTIFACTS            where the screenshots go
 *   VP_FIXTURES             tests/browser/fixtures
 *   VP_CHROMIUM             the browser (default /usr/bin/chromium)
 * The test builds a temporary index of the sample, starts vindplaats-server on a
 * free loopback port with a fixed clock, and a small static server on another
 * port for the third-party page; both are stopped at the end, also on failure. */
const {describe, it, before, after} = require('node:test');
const assert = require('node:assert/strict');
const {spawn, spawnSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const {chromium} = require('playwright-core');

const NOW = '2026-12-01T08:00:00+01:00';
const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (start the tests with tests/browser/run.sh)`);
  return v;
};
const ARTIFACTS = env('VP_ARTIFACTS');
const FIXTURES = env('VP_FIXTURES');
const CHROMIUM = process.env.VP_CHROMIUM || '/usr/bin/chromium';
const AXE = require.resolve('axe-core/axe.min.js');
/* the staff key of this server (campaign links, /insights) */
const ADMIN_KEY = 'browser-test-key-0123456789';
const STAFF = {headers: {Authorization: `Bearer ${ADMIN_KEY}`}};

let tmp, server, serverLog = '', statics, ctx, VP, SITE;
const children = new Set();
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch (e) { /* gone */ } });

function waitFor(cond, ms, what) {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    (function poll() {
      let v;
      try { v = cond(); } catch (e) { v = null; }
      if (v) return resolve(v);
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 50);
    })();
  });
}

/* options: {headers, localAddress} as http.get takes them (a loopback
 * localAddress such as 127.0.0.2 makes the request come from another client) */
function get(url, options = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body}));
    }).on('error', reject);
  });
}

function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) { /* gone */ } }, 5000);
    child.once('exit', () => { clearTimeout(t); children.delete(child); resolve(); });
    child.kill('SIGTERM');
  });
}

/* the third-party site: fixtures with the Vindplaats origin filled in */
function startStatic() {
  const types = {'.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8'};
  const srv = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    let name = u.pathname === '/' ? '/embed.html' : u.pathname;
    const headers = {};
    if (name === '/embed-csp.html') {
      /* the policy docs/embed.md tells a site with a Content-Security-Policy to use */
      name = '/embed.html';
      headers['Content-Security-Policy'] =
        `default-src 'self'; script-src 'self' ${VP}; style-src 'self' ${VP}; connect-src 'self' ${VP}; img-src 'self'`;
    }
    if (name.startsWith('/landing/')) name = '/landing.html';
    const file = path.join(FIXTURES, path.basename(name));
    if (!/^\/[\w.-]+$/.test(name) || !fs.existsSync(file)) {
      res.writeHead(404, {'Content-Type': 'text/plain'});
      res.end('not found');
      return;
    }
    const body = fs.readFileSync(file, 'utf8').split('VINDPLAATS_ORIGIN').join(VP);
    res.writeHead(200, Object.assign({'Content-Type': types[path.extname(file)] || 'text/plain'}, headers));
    res.end(body);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vp-browser-'));
  const idx = path.join(tmp, 'index');
  const load = spawnSync(env('VP_INDEXER'), ['load', env('VP_SAMPLE'), '--index', idx], {encoding: 'utf8'});
  assert.equal(load.status, 0, `indexer failed: ${load.stderr}`);

  const portFile = path.join(tmp, 'port');
  server = spawn(env('VP_SERVER'), ['--index', idx, '--port', '0', '--port-file', portFile, '--now', NOW,
    '--no-access-log'], {stdio: ['ignore', 'ignore', 'pipe'],
    env: Object.assign({}, process.env, {VINDPLAATS_ADMIN_KEYS: ADMIN_KEY})});
  children.add(server);
  server.stderr.on('data', (d) => { serverLog += d; });
  const port = await waitFor(() => {
    if (server.exitCode !== null) throw new Error('server exited');
    const s = fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8');
    return s && /\n$/.test(s) && parseInt(s, 10);
  }, 30000, 'vindplaats-server to listen').catch((e) => {
    throw new Error(`${e.message}\n${serverLog}`);
  });
  VP = `http://127.0.0.1:${port}`;
  statics = await startStatic();
  SITE = `http://127.0.0.1:${statics.address().port}`;

  const profile = fs.mkdtempSync(path.join(tmp, 'chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1280, height: 900},
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
  });
  ctx.setDefaultTimeout(15000);
  /* result links point at example.nl sites: answer them locally */
  await ctx.route(/^https?:\/\/[^/]*example\.nl\//, (r) =>
    r.fulfill({status: 200, contentType: 'text/html', body: '<!doctype html><title>extern</title><p>extern</p>'}));
  for (const p of ctx.pages()) await p.close();
});

after(async () => {
  if (ctx) await ctx.close().catch(() => {});
  if (statics) await new Promise((r) => statics.close(r));
  await stop(server);
  if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
});

/* A fresh page; uncaught exceptions in it fail the test. */
async function open(url, viewport) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Refused to|Content.Security.Policy|CORS/i.test(m.text())) page.errors.push(m.text());
  });
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(url);
  return page;
}
async function done(page) {
  const errs = page.errors;
  await page.close();
  assert.deepEqual(errs, [], 'errors in the page');
}

const box = (page, sel = '[data-vindplaats]') => page.locator(sel).first();
/* the search field (the choices of distance and order are comboboxes too) */
const combo = (b) => b.locator('input[role=combobox]');
const heading = (b) => b.locator('.vp-count');
async function total(b) {
  await assert.doesNotReject(() => heading(b).filter({hasText: /\d/}).waitFor());
  return parseInt(/[\d.]+/.exec(await heading(b).textContent())[0].replace(/\D/g, ''), 10);
}
/* the offerings behind the results ("9 resultaten (16 keer aangeboden)"): what facets count */
async function offered(b) {
  const t = await total(b), m = /\(([\d.]+) keer/.exec(await heading(b).textContent());
  return m ? parseInt(m[1].replace(/\D/g, ''), 10) : t;
}
/* wait for the next /v1/search answer whose parameters pass `check`; a
 * search that counts every facet can take longer than the default 15 s
 * under the sanitizers on a loaded machine */
function searched(page, check = () => true) {
  return page.waitForResponse((r) => {
    if (!r.url().includes('/v1/search?')) return false;
    return check(new URL(r.url()).searchParams);
  }, {timeout: 60000});
}
async function settled(b) {
  await b.locator('.vp-res:not(.vp-busy)').waitFor();
}

async function axe(page, what, t) {
  await page.addScriptTag({path: AXE});
  const res = await page.evaluate(() => window.axe.run(document, {resultTypes: ['violations']}));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = res.violations.filter((v) => !bad.includes(v));
  if (minor.length) t.diagnostic(`${what}: minor axe findings: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`), [],
    `axe-core: serious or critical violations on ${what}`);
}

async function shot(page, name, t) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({path: file, fullPage: false});
  t.diagnostic(`screenshot: ${file}`);
}

/* WCAG 2 contrast of two computed colours ("rgb(r, g, b)") */
function contrast(fg, bg) {
  const lum = (c) => {
    const [r, g, b] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

/* the page is no wider than the window */
async function noOverflow(page, what) {
  const [sw, vw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= vw, `${what}: the page is ${sw} px wide in a window of ${vw} px`);
}

describe('demo page', () => {
  it('is served at / with the OpenSearch link and one widget', async () => {
    const page = await open(`${VP}/`);
    assert.equal(await page.locator('link[rel=search][type="application/opensearchdescription+xml"]').getAttribute('href'),
      '/opensearch.xml');
    const b = box(page);
    await combo(b).waitFor();
    assert.equal(await page.locator('.vp').count(), 1);
    assert.equal(await combo(b).getAttribute('aria-expanded'), 'false');
    const os = await get(`${VP}/opensearch.xml`);
    assert.equal(os.status, 200);
    assert.match(os.body, /<Url type="application\/x-suggestions\+json"[^>]*template="http:\/\/127\.0\.0\.1:\d+\/opensearch\/suggest\?q=\{searchTerms\}"/);
    assert.match(os.body, /<Url type="text\/html"[^>]*template="http:\/\/127\.0\.0\.1:\d+\/\?q=\{searchTerms\}"/);
    await done(page);
  });

  it('on a phone the first result comes before the introduction; no repository paths', async (t) => {
    const page = await open(`${VP}/?q=digicafe`, {width: 390, height: 844});
    const first = page.locator('li.vp-card').first();
    await first.waitFor();
    const top = (await first.boundingBox()).y;
    assert.ok(top < 500, `the first result starts ${top} px down`);
    await noOverflow(page, '/ at 390 px');
    assert.doesNotMatch(await page.locator('body').innerText(), /docs\/\w+\.md/, 'a path of the repository on the page');
    await shot(page, 'home-390.png', t);
    await done(page);
  });

  it('typing shows suggestions; arrow keys, Enter and Escape work', async () => {
    const page = await open(`${VP}/`);
    const b = box(page), q = combo(b);
    assert.equal(await q.getAttribute('aria-autocomplete'), 'list');
    const lb = page.locator(`#${await q.getAttribute('aria-controls')}`);
    assert.equal(await lb.getAttribute('role'), 'listbox');

    let searches = 0;
    page.on('request', (r) => { if (r.url().includes('/v1/search?')) searches++; });
    await q.click();
    await q.pressSequentially('digi', {delay: 40});
    await lb.locator('[role=option]').first().waitFor();
    assert.equal(await q.getAttribute('aria-expanded'), 'true');
    const options = await lb.locator('[role=option]').allTextContents();
    assert.ok(options.length >= 3, `suggestions: ${options}`);
    await settled(b);
    assert.ok(searches <= 2, `typing four letters fired ${searches} searches (debounce)`);
    assert.match(await b.locator('[role=status]').textContent(), /suggesties/);

    await q.press('ArrowDown');
    const first = lb.locator('[role=option]').nth(0), second = lb.locator('[role=option]').nth(1);
    assert.equal(await q.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await q.press('ArrowDown');
    assert.equal(await q.getAttribute('aria-activedescendant'), await second.getAttribute('id'));
    assert.equal(await first.getAttribute('aria-selected'), 'false');
    await q.press('ArrowUp');
    assert.equal(await q.getAttribute('aria-activedescendant'), await first.getAttribute('id'));
    await q.press('ArrowDown');
    const chosen = (await second.locator('.vp-otext').textContent()).trim();
    const answer = searched(page, (p) => p.get('q') === chosen);
    await q.press('Enter');
    await answer;
    assert.equal(await q.inputValue(), chosen);
    assert.equal(await q.getAttribute('aria-expanded'), 'false');
    assert.equal(await q.getAttribute('aria-activedescendant'), null);
    assert.ok(await lb.isHidden());
    await settled(b);
    assert.ok(await total(b) > 0);
    await b.locator('[role=status]').filter({hasText: /resulta/}).waitFor();
    assert.ok(await q.evaluate((e) => e === document.activeElement), 'focus stays in the box');

    await q.fill('');
    await q.pressSequentially('voorl', {delay: 30});
    await lb.locator('[role=option]').first().waitFor();
    await q.press('Escape');
    assert.ok(await lb.isHidden());
    assert.equal(await q.getAttribute('aria-expanded'), 'false');
    assert.equal(await q.inputValue(), 'voorl');
    await q.press('Escape');
    assert.equal(await q.inputValue(), '');
    await done(page);
  });

  it('suggestions that answer after Enter do not cover the results', async () => {
    const page = await open(`${VP}/`);
    const b = box(page), q = combo(b);
    const lb = page.locator(`#${await q.getAttribute('aria-controls')}`);
    /* hold every suggestion answer back until the search has been submitted */
    let release, asked = 0;
    const held = new Promise((r) => { release = r; });
    await page.route('**/v1/suggest?*', async (route) => {
      asked++;
      await held;
      await route.continue().catch(() => {});
    });
    await q.fill('computer');
    await page.waitForTimeout(400);
    assert.ok(asked >= 1, 'the pause after typing asked for suggestions');
    const answer = searched(page, (p) => p.get('q') === 'computer');
    await q.press('Enter');
    await answer;
    await settled(b);
    release();
    await page.waitForTimeout(500);
    assert.ok(await lb.isHidden(), 'a late suggestion answer opened the list over the results');
    assert.equal(await q.getAttribute('aria-expanded'), 'false');
    await page.unroute('**/v1/suggest?*');
    await done(page);
  });

  it('a click on a suggestion searches for it', async () => {
    const page = await open(`${VP}/`);
    const b = box(page), q = combo(b);
    await q.pressSequentially('klik', {delay: 30});
    const opt = b.getByRole('option').first();
    const text = (await opt.locator('.vp-otext').textContent()).trim();
    const answer = searched(page, (p) => p.get('q') === text);
    await opt.click();
    await answer;
    assert.equal(await q.inputValue(), text);
    await done(page);
  });

  it('results are cards with what a resident needs to decide', async () => {
    const page = await open(`${VP}/?q=digicafe`);
    const b = box(page);
    assert.equal(await combo(b).inputValue(), 'digicafe', 'the page reads ?q= (OpenSearch)');
    const n = await total(b);
    assert.ok(n > 10);
    const cards = b.locator('ol.vp-cards > li.vp-card');
    assert.equal(await cards.count(), 10);
    const c = cards.first();
    assert.match(await c.locator('.vp-badge').textContent(), /^(Cursus|Evenement|Activiteit|E-book|Luisterboek|Boek|Dienst)$/);
    assert.match(await c.locator('.vp-chan').textContent(), /^(Online|Op locatie|Online en op locatie)$/);
    const link = c.locator('.vp-title a');
    assert.match(await link.getAttribute('href'), /^https:\/\//);
    assert.ok((await link.textContent()).length > 3);
    const prop = await c.locator('.vp-prop').textContent();
    assert.match(prop, /Digicafé/, 'local name');
    assert.match(prop, /Digitaal spreekuur/, 'uniform proposition name');
    const when = c.locator('.vp-when time');
    assert.match(await when.textContent(), /^\w{2}\.? \d{1,2} \w{3,4}\.? 20\d\d, \d\d:\d\d/);
    assert.match(await when.getAttribute('datetime'), /^20\d\d-\d\d-\d\dT/);
    assert.match(await c.locator('.vp-where').textContent(), /Bibliotheek \w+/);
    await done(page);
  });

  it('an activity on several dates is one card: its next date and "Nog N data"', async () => {
    const page = await open(`${VP}/?q=pyjamavoorlezen`);
    const b = box(page);
    const n = await total(b);
    assert.ok(await offered(b) > n, 'the heading says how many offerings the results stand for');
    const cards = b.locator('ol.vp-cards > li');
    const seen = new Set();
    for (let i = 0; i < await cards.count(); i++) {
      const key = await cards.nth(i).evaluate((e) => ['.vp-title', '.vp-where'].map((c) => (e.querySelector(c) || {}).textContent || '').join('|'));
      assert.ok(!seen.has(key), `${key} twice`);
      seen.add(key);
    }
    const more = b.locator('.vp-series').first();
    assert.match(await more.textContent(), /^Nog (1 datum|\d+ data): /);
    const when = await cards.filter({has: page.locator('.vp-series')}).first().locator('.vp-when time').getAttribute('datetime');
    for (const t of await more.locator('time').all()) assert.ok(Date.parse(await t.getAttribute('datetime')) >= Date.parse(when), 'the card shows the next date, the others later');
    await done(page);
  });

  it('ticking a facet narrows the results and the counts', async () => {
    const page = await open(`${VP}/?q=digicafe`);
    const b = box(page);
    const all = await total(b);
    const fs = b.locator('fieldset').filter({has: page.locator('legend', {hasText: 'Bibliotheek'})});
    const cb = fs.getByRole('checkbox').first();
    const label = (await fs.locator('label').first().textContent()).trim();
    const m = /^(.*?)\s*\((\d+)\)$/.exec(label);
    assert.ok(m, `facet label "${label}"`);
    const [, name, count] = m;
    const audienceBefore = await b.locator('fieldset').filter({has: page.locator('legend', {hasText: 'Doelgroep'})})
      .locator('.vp-n').allTextContents();
    const answer = searched(page, (p) => p.getAll('library').length === 1);
    await cb.focus();
    await page.keyboard.press('Space');
    await answer;
    await settled(b);
    const narrowed = await total(b);
    assert.equal(await offered(b), +count, `${name}: the facet said ${count}`);
    assert.ok(narrowed < all);
    const ticked = fs.getByRole('checkbox', {checked: true});
    assert.equal(await ticked.count(), 1);
    assert.ok(await ticked.evaluate((e) => e === document.activeElement), 'focus stays on the ticked box');
    for (const w of await b.locator('ol.vp-cards .vp-where').allTextContents()) assert.ok(w.includes(name), `${w} is not ${name}`);
    const audienceAfter = await b.locator('fieldset').filter({has: page.locator('legend', {hasText: 'Doelgroep'})})
      .locator('.vp-n').allTextContents();
    const sum = (a) => a.reduce((s, x) => s + parseInt(x.replace(/\D/g, ''), 10), 0);
    assert.ok(sum(audienceAfter) < sum(audienceBefore), 'the other facets count the narrowed results');
    assert.match(page.url(), /library=/);
    assert.match(await b.locator('.vp-ftog').textContent(), /1 actief/);

    const back = searched(page, (p) => p.getAll('library').length === 0);
    await page.keyboard.press('Space');
    await back;
    await settled(b);
    assert.equal(await total(b), all);
    await done(page);
  });

  it('makes the address that docs/campaigns.md shows a marketer', async () => {
    const page = await open(`${VP}/`);
    const b = box(page);
    await combo(b).fill('computer');
    await combo(b).press('Enter');
    await settled(b);
    await total(b);
    const facet = (legend) => b.locator('fieldset').filter({has: page.locator('legend', {hasText: legend})});
    let answer = searched(page, (p) => p.getAll('type').length === 1);
    await facet('Soort').getByRole('checkbox', {name: /^Cursus/}).check();
    await answer;
    await settled(b);
    const lib = facet('Bibliotheek');
    const more = lib.locator('.vp-all');
    if (await more.count() && (await more.getAttribute('aria-expanded')) === 'false') await more.click();
    answer = searched(page, (p) => p.getAll('library').length === 1);
    await lib.getByRole('checkbox', {name: /^Bibliotheek Eemland/}).check();
    await answer;
    await settled(b);
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'campaigns.md'), 'utf8');
    const shown = /https:\/\/vindplaats\.example\.nl(\/\?q=computer[^\s`]*)/.exec(doc);
    assert.ok(shown, 'campaigns.md shows an address of the search page');
    assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, shown[1]);
    await done(page);
  });

  it('"Meer resultaten" adds the next page and moves focus to it', async () => {
    const page = await open(`${VP}/?q=digi`);
    const b = box(page);
    const n = await total(b);
    const cards = b.locator('ol.vp-cards > li');
    assert.equal(await cards.count(), 10);
    assert.match(await b.locator('.vp-shown').textContent(), new RegExp(`^10 van ${n}`));
    const more = b.getByRole('button', {name: 'Meer resultaten'});
    const answer = searched(page, (p) => p.get('page') === '2');
    await more.click();
    await answer;
    await cards.nth(19).waitFor();
    assert.equal(await cards.count(), 20);
    assert.ok(await cards.nth(10).locator('a').first().evaluate((e) => e === document.activeElement));
    assert.match(await b.locator('.vp-shown').textContent(), new RegExp(`^20 van ${n}`));
    assert.match(await b.locator('[role=status]').textContent(), /10 meer geladen/);
    await done(page);
  });

  it('a misspelled query shows the correction', async () => {
    const page = await open(`${VP}/`);
    const b = box(page), q = combo(b);
    await q.fill('digicaffe');
    const answer = searched(page, (p) => p.get('q') === 'digicaffe');
    await q.press('Enter');
    await answer;
    await settled(b);
    const note = await b.locator('.vp-note').textContent();
    assert.match(note, /^Resultaten voor ‘digicafe’\. Zoek in plaats daarvan naar ‘digicaffe’$/);
    assert.ok(await total(b) > 0);
    /* the words exactly as typed, on request: no correction, nothing found */
    const exact = searched(page, (p) => p.get('q') === 'digicaffe' && p.get('spelling') === 'false');
    await b.locator('.vp-note').getByRole('button', {name: /Zoek in plaats daarvan naar/}).click();
    await exact;
    await heading(b).filter({hasText: 'Geen resultaten'}).waitFor();
    assert.doesNotMatch(await b.locator('.vp-note').textContent(), /Resultaten voor/);
    await done(page);
  });

  it('shows a place and a day it understood as chips that can be removed', async () => {
    const page = await open(`${VP}/?q=${encodeURIComponent('taalcafe amersfoort zaterdag')}`);
    const b = box(page);
    const note = b.locator('.vp-note');
    const place = note.getByRole('button', {name: 'Niet in Amersfoort'});
    await place.waitFor();
    assert.equal(await place.textContent(), 'in Amersfoort ✕');
    assert.equal(await note.getByRole('button', {name: /^Niet op zaterdag 5 december$/}).count(), 1);
    const again = searched(page, (p) => p.get('understand') === 'date');
    await place.click();
    await again;
    await settled(b);
    await note.getByRole('button', {name: /^Niet op zaterdag/}).waitFor();
    assert.equal(await note.getByRole('button', {name: 'Niet in Amersfoort'}).count(), 0);
    await done(page);
  });

  it('names an understood place as the place writes its name', async () => {
    /* the server's label: not "Bergen Op Zoom" nor "S-hertogenbosch" */
    for (const [q, name] of [['taalcafe bergen op zoom', 'Bergen op Zoom'],
      ['taalcafe den bosch', "'s-Hertogenbosch"]]) {
      const page = await open(`${VP}/?q=${encodeURIComponent(q)}`);
      const place = box(page).locator('.vp-note').getByRole('button', {name: `Niet in ${name}`});
      await place.waitFor();
      assert.equal(await place.textContent(), `in ${name} ✕`);
      await done(page);
    }
  });

  it('says which words were left out when only some matched', async () => {
    const page = await open(`${VP}/?q=${encodeURIComponent('kitesurfen cursus')}`);
    const b = box(page);
    const note = b.locator('.vp-note');
    await note.filter({hasText: 'Niet alle woorden'}).waitFor();
    assert.match(await note.textContent(), /^Niet alle woorden gevonden: kitesurfen\./);
    assert.ok(await total(b) > 0);
    await done(page);
  });

  it('offers "Bedoelde u" and searches for it when chosen', async () => {
    /* in the sample only numbers ("1949") get a did_you_mean: add it to a real answer */
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    await page.route((u) => u.pathname === '/v1/search' && u.searchParams.get('q') === 'tik', async (r) => {
      const res = await r.fetch();
      await r.fulfill({response: res, json: Object.assign(await res.json(), {did_you_mean: 'klik en tik', corrected_query: null})});
    });
    await page.goto(`${VP}/?q=tik`);
    const b = box(page);
    const offer = b.locator('.vp-note').getByRole('button', {name: 'klik en tik'});
    await offer.waitFor();
    assert.match(await b.locator('.vp-note').textContent(), /^Bedoelde u: klik en tik\?$/);
    const answer = searched(page, (p) => p.get('q') === 'klik en tik');
    await offer.click();
    await answer;
    await settled(b);
    assert.equal(await combo(b).inputValue(), 'klik en tik');
    assert.ok(await total(b) > 0);
    assert.equal(await b.locator('.vp-note').textContent(), '');
    await done(page);
  });

  it('a zero-result search offers help: without the filter, the proposition', async () => {
    const page = await open(`${VP}/?q=digicafe&type=ebook`);
    const b = box(page);
    await heading(b).filter({hasText: 'Geen resultaten'}).waitFor();
    const note = b.locator('.vp-note');
    assert.match(await note.textContent(), /Niets gevonden voor ‘digicafe’/);
    const prop = note.getByRole('link', {name: /Digitaal spreekuur/});
    assert.match(await prop.getAttribute('href'), /proposition=digitaal-spreekuur/);
    const without = note.getByRole('button', {name: /zonder filter ‘Soort’ \((\d+) resultaten\)/});
    const expected = +(/\((\d+)/.exec(await without.textContent())[1]);
    const answer = searched(page, (p) => !p.has('type'));
    await without.click();
    await answer;
    await settled(b);
    /* help counts are Xapian estimates (engine/search.c), the total here is exact */
    const got = await total(b);
    assert.ok(got > 0 && Math.abs(got - expected) <= expected * 0.25, `${got} results, help said ${expected}`);

    await page.goto(`${VP}/?q=digicafe&type=ebook`);
    await heading(b).filter({hasText: 'Geen resultaten'}).waitFor();
    const viaProp = searched(page, (p) => p.get('proposition') === 'digitaal-spreekuur' && p.get('q') === '');
    await b.locator('.vp-note').getByRole('link').click();
    await viaProp;
    await settled(b);
    assert.ok(await total(b) > 0);
    assert.equal(await b.getByRole('checkbox', {name: /Digitaal spreekuur/, checked: true}).count(), 1);

    await page.goto(`${VP}/?q=xyzzyqq`);
    await heading(b).filter({hasText: 'Geen resultaten'}).waitFor();
    assert.match(await b.locator('.vp-note').textContent(), /Probeer andere of minder woorden/);
    await done(page);
  });

  it('keeps its place while loading, and aborts a stale search', async () => {
    const page = await open(`${VP}/?q=klik`);
    const b = box(page), q = combo(b);
    await total(b);
    const y0 = (await heading(b).boundingBox()).y;
    let release;
    const gate = new Promise((r) => { release = r; });
    const aborted = [], sent = [];
    page.on('requestfailed', (r) => {
      if (r.url().includes('/v1/search?')) aborted.push(new URL(r.url()).searchParams.get('q'));
    });
    await page.route((u) => u.pathname === '/v1/search', async (r) => {
      sent.push(new URL(r.request().url()).searchParams.get('q'));
      await gate;
      await r.continue().catch(() => {});
    });
    await q.click();
    await q.press('End');
    await q.pressSequentially(' en', {delay: 20});
    await b.getByRole('option').first().waitFor();
    await waitFor(() => sent.length === 1, 5000, 'the search for "klik en"');
    assert.equal(await b.locator('.vp-res[aria-busy=true]').count(), 1, 'busy while loading');
    assert.equal(await b.locator('ol.vp-cards > li').count(), 10, 'the old results stay while loading');
    assert.equal((await heading(b).boundingBox()).y, y0, 'suggestions lie over the page');
    await q.pressSequentially(' tik', {delay: 20});
    await waitFor(() => sent.length === 2, 5000, 'the search for "klik en tik"');
    release();
    await settled(b);
    assert.deepEqual(sent, ['klik en', 'klik en tik']);
    await waitFor(() => aborted.length === 1, 5000, 'the stale search to be aborted');
    assert.deepEqual(aborted, ['klik en']);
    assert.equal((await heading(b).boundingBox()).y, y0);
    await done(page);
  });

  it('works with the keyboard alone, with a visible focus', async () => {
    const page = await open(`${VP}/?q=digicafe`);
    const b = box(page);
    await total(b);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.ok(await combo(b).evaluate((e) => e === document.activeElement), 'skip link leads to the search box');
    const seen = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName, type: e.type || '', text: (e.textContent || e.value || '').trim().slice(0, 30),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
      });
      seen.push(`${f.tag}:${f.type}:${f.text}`);
      assert.ok(f.outline !== 'none' && f.width >= 2, `no visible focus on ${JSON.stringify(f)}`);
    }
    assert.ok(seen.some((s) => s.startsWith('INPUT:checkbox')), `tab order ${seen}`);
    await done(page);
  });

  it('fits a 320 px phone without sideways scrolling; filters fold away', async () => {
    const page = await open(`${VP}/?q=digicafe`, {width: 320, height: 700});
    const b = box(page);
    await total(b);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no horizontal scroll at 320 px');
    const tog = b.locator('.vp-ftog');
    assert.ok(await tog.isVisible());
    assert.ok(await b.locator('.vp-fac').isHidden());
    await tog.click();
    assert.equal(await tog.getAttribute('aria-expanded'), 'true');
    assert.ok(await b.locator('.vp-fac').isVisible());
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320));
    await done(page);
  });

  it('without JavaScript still has a working search form', async () => {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setScriptExecutionDisabled', {value: true});
    await page.goto(`${VP}/`);
    const q = page.getByRole('searchbox', {name: 'Zoek in het aanbod van alle bibliotheken'});
    await q.fill('digicafe');
    /* the page itself answers, with results as cards (not the API's JSON) */
    await Promise.all([page.waitForURL(/\/\?q=digicafe/), q.press('Enter')]);
    assert.ok(await page.locator('li.vp-card').count() > 0);
    await page.close();
  });

  it('has no serious or critical accessibility violations (axe-core)', async (t) => {
    const page = await open(`${VP}/`);
    await combo(box(page)).waitFor();
    await axeCsp(page, 'the demo page, empty', t);
    await page.goto(`${VP}/?q=digicafe`);
    await total(box(page));
    await axeCsp(page, 'the demo page with results and filters', t);
    const q = combo(box(page));
    await q.fill('');
    await q.pressSequentially('dig', {delay: 30});
    await box(page).getByRole('option').first().waitFor();
    await q.press('ArrowDown');
    await axeCsp(page, 'the demo page with suggestions open', t);
    await page.goto(`${VP}/?q=digicafe&type=ebook`);
    await heading(box(page)).filter({hasText: 'Geen resultaten'}).waitFor();
    await axeCsp(page, 'the demo page with zero-result help', t);
    await done(page);
  });

  it('screenshots at desktop and phone width', async (t) => {
    for (const [name, vp] of [['desktop', {width: 1280, height: 900}], ['phone', {width: 360, height: 780}]]) {
      const page = await open(`${VP}/?q=digicafe`, vp);
      const b = box(page);
      await total(b);
      await b.scrollIntoViewIfNeeded();
      await shot(page, `demo-${name}.png`, t);
      await combo(b).fill('');
      await combo(b).pressSequentially('klik', {delay: 30});
      await b.getByRole('option').first().waitFor();
      await combo(b).press('ArrowDown');
      await shot(page, `demo-suggestions-${name}.png`, t);
      await done(page);
    }
  });

});

describe('the widget on a third-party page (another origin)', () => {
  it('loads its CSS itself and searches the Vindplaats server over CORS', async () => {
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Refused to|Content.Security.Policy|CORS/i.test(m.text())) page.errors.push(m.text());
    });
    const recAsked = page.waitForRequest((r) => r.url().startsWith(`${VP}/v1/recommend?`));
    await page.goto(`${SITE}/embed.html`);
    assert.notEqual(new URL(page.url()).origin, VP);
    const b = box(page, '#box');
    await combo(b).waitFor();
    assert.equal(await page.locator(`link[rel=stylesheet][href="${VP}/widget.css"]`).count(), 1, 'widget.css added once');
    assert.equal(await page.locator('.vp').count(), 2, 'two widgets on one page');
    const ids = await page.locator('.vp [id]').evaluateAll((es) => es.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length, 'ids are unique across widgets');
    assert.equal(await b.locator('.vp-go').evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(11, 83, 148)',
      'the widget styles beat the site\'s button rule');

    const q = combo(b);
    const answer = searched(page, (p) => p.get('q') === 'computer');
    await q.fill('computer');
    await q.press('Enter');
    const res = await answer;
    const p = new URL(res.url()).searchParams;
    assert.equal(p.get('prefer_library'), 'bibliotheek-utrecht', 'data-library is a preference');
    assert.deepEqual(p.getAll('library'), [], '... not a filter');
    assert.deepEqual(p.getAll('type'), ['course'], 'data-type is a filter');
    assert.equal(p.get('postcode'), '3511');
    assert.equal(res.headers()['access-control-allow-origin'], '*');
    await settled(b);
    assert.ok(await total(b) > 0);
    assert.equal(await b.getByRole('checkbox', {name: /^Cursus/, checked: true}).count(), 1);
    const c = b.locator('ol.vp-cards > li').first();
    assert.match(await c.locator('.vp-badge').textContent(), /Cursus/);
    assert.match(await c.locator('.vp-where').textContent(), /\d+(,\d)? km van u/);
    const a = c.locator('.vp-title a');
    assert.equal(await a.getAttribute('target'), '_blank');
    assert.equal(await a.getAttribute('rel'), 'noopener');
    assert.match(await a.textContent(), /opent in een nieuw venster/);

    /* the real /v1/recommend: the box's data-type holds for its recommendations too */
    const recUrl = new URL((await recAsked).url());
    assert.deepEqual(recUrl.searchParams.getAll('type'), ['course'], 'data-type filters the recommendations');
    assert.equal(recUrl.searchParams.get('postcode'), '3511');
    const rec = await get(recUrl.href);
    const recs = rec.status === 200 ? JSON.parse(rec.body).results : [];
    if (recs.length) {
      assert.ok(recs.every((x) => x.type === 'course'), 'only courses recommended');
      await b.locator('.vp-rec .vp-card').first().waitFor();
      assert.match(await b.locator('.vp-rec .vp-why').first().textContent(), /^Waarom: ./);
      const badges = await b.locator('.vp-rec .vp-badge').allTextContents();
      assert.ok(badges.length && badges.every((x) => x === 'Cursus'), `recommended badges: ${badges}`);
      const text = await b.locator('.vp-rec').textContent();
      assert.doesNotMatch(text, /Gekozen voor|Jonge gezinnen|jonge gezinnen/, 'no segment shown to residents');
      assert.match(text, /In de buurt van postcode 3511, en online/);
    } else {
      assert.equal(rec.status, 404, `/v1/recommend answered ${rec.status}: ${rec.body}`);
      assert.ok(await b.locator('.vp-rec').isHidden(), 'no recommendations block while /v1/recommend is unavailable');
    }
    const body = await res.json(), qid = body.query_id;
    const beacon = page.waitForRequest((r) => r.url() === `${VP}/v1/signals`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), a.click()]);
    await popup.close();
    const sig = await beacon;
    const ev = JSON.parse(sig.postData()).events[0];
    assert.equal(ev.kind, 'click');
    assert.equal(ev.offering, body.results[0].id);
    assert.equal(ev.segment, 'jonge-gezinnen');
    if (qid) assert.equal(ev.query_id, qid);
    const status = (await sig.response())?.status();
    assert.ok(status === 202 || status === 404, `/v1/signals answered ${status}`);

    const en = box(page, '#box-en');
    await combo(en).fill('digital');
    await combo(en).press('Enter');
    await heading(en).filter({hasText: /\d+ results/}).waitFor();
    assert.equal(await en.locator('ol.vp-cards > li').count(), 5);
    assert.equal(await en.getByRole('button', {name: 'Search', exact: true}).count(), 1);
    assert.equal(await en.getAttribute('lang'), 'en');
    await done(page);
  });

  it('works under the Content-Security-Policy that docs/embed.md gives', async () => {
    const page = await open(`${SITE}/embed-csp.html`);
    const b = box(page, '#box');
    await combo(b).fill('computer');
    await combo(b).press('Enter');
    await settled(b);
    assert.ok(await total(b) > 0);
    await done(page);
  });

  it('shows recommendations when /v1/recommend answers, and sends clicks as signals', async (t) => {
    /* /v1/recommend and /v1/signals are being built: stand-ins with their agreed shape */
    const signals = [];
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    const sample = JSON.parse((await get(`${VP}/v1/search?q=voorlezen&per_page=2`)).body).results;
    await page.route((u) => u.origin === VP && u.pathname === '/v1/recommend', (r) => r.fulfill({
      status: 200, headers: {'Access-Control-Allow-Origin': '*'}, contentType: 'application/json',
      body: JSON.stringify({
        results: sample.map((x, i) => Object.assign({}, x, {url: `${SITE}/landing/${i}`,
          reason: {text: 'Veel gekozen in uw buurt · Morgen', factors: [{name: 'popularity', weight: 0.6}]}})),
        segment: {id: 'jonge-gezinnen'}, segments: [{id: 'jonge-gezinnen', share: 1}], signals: 'ok'}),
    }));
    await page.route((u) => u.origin === VP && u.pathname === '/v1/signals', (r) => {
      signals.push({body: r.request().postData(), type: r.request().headers()['content-type']});
      return r.fulfill({status: 202, headers: {'Access-Control-Allow-Origin': '*'}, body: ''});
    });
    await page.route((u) => u.origin === VP && u.pathname === '/v1/search', async (r) => {
      const res = await r.fetch();
      const d = await res.json();
      d.query_id = 'q-test-1';
      await r.fulfill({response: res, json: d});
    });
    await page.goto(`${SITE}/embed.html`);
    const b = box(page, '#box');
    const rec = b.locator('.vp-rec');
    await rec.waitFor();
    assert.match(await rec.getByRole('heading').first().textContent(), /Aanbevolen voor u/);
    assert.doesNotMatch(await rec.textContent(), /Gekozen voor|gezinnen/i, 'the segment is not shown');
    assert.match(await rec.textContent(), /In de buurt van postcode 3511, en online/);
    assert.equal(await rec.locator('.vp-card').count(), 2);
    assert.match(await rec.locator('.vp-why').first().textContent(), /Waarom: Veel gekozen in uw buurt · Morgen/);
    await shot(page, 'embed-recommendations-desktop.png', t);

    const [popup] = await Promise.all([page.waitForEvent('popup'), rec.locator('.vp-title a').first().click()]);
    await popup.close();
    await waitFor(() => signals.length === 1, 5000, 'the click signal');
    const ev = JSON.parse(signals[0].body).events[0];
    assert.deepEqual(ev, {kind: 'click', offering: sample[0].id, segment: 'jonge-gezinnen'});
    assert.match(signals[0].type, /^text\/plain/);

    await combo(b).fill('computer');
    await combo(b).press('Enter');
    await settled(b);
    await total(b);
    const first = b.locator('ol.vp-cards .vp-title a').first();
    const [popup2] = await Promise.all([page.waitForEvent('popup'), first.click()]);
    await popup2.close();
    await waitFor(() => signals.length === 2, 5000, 'the second click signal');
    const ev2 = JSON.parse(signals[1].body).events[0];
    assert.equal(ev2.query_id, 'q-test-1');
    assert.equal(ev2.kind, 'click');
    await done(page);
  });

  it('has no serious or critical accessibility violations (axe-core)', async (t) => {
    const page = await open(`${SITE}/embed.html`);
    const b = box(page, '#box');
    await combo(b).fill('computer');
    await combo(b).press('Enter');
    await settled(b);
    await total(b);
    await axe(page, 'the third-party page with results', t);
    await done(page);
  });

  it('screenshots at desktop and phone width', async (t) => {
    for (const [name, vp] of [['desktop', {width: 1280, height: 900}], ['phone', {width: 360, height: 780}]]) {
      const page = await open(`${SITE}/embed.html`, vp);
      const b = box(page, '#box');
      await combo(b).fill('computer');
      await combo(b).press('Enter');
      await settled(b);
      await total(b);
      await shot(page, `embed-${name}.png`, t);
      await done(page);
    }
  });
});

/* any request, for setting things up (PUT a saved query) */
function request(method, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, headers}, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: text}));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
const admin = {Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json'};

/* Pages with a Content-Security-Policy take no injected <script>: axe-core is
 * evaluated through the DevTools protocol instead, which the policy does not cover. */
async function axeCsp(page, what, t) {
  // Contrast is judged on the settled page: results dim while a search
  // runs and fade back in over 0.15 s.
  await page.waitForFunction(() => [...document.querySelectorAll('.vp-res')].every(
    (e) => !e.classList.contains('vp-busy') && getComputedStyle(e).opacity === '1'));
  await page.evaluate(fs.readFileSync(AXE, 'utf8'));
  const res = await page.evaluate(() => window.axe.run(document, {resultTypes: ['violations']}));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = res.violations.filter((v) => !bad.includes(v));
  if (minor.length) t.diagnostic(`${what}: minor axe findings: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`), [],
    `axe-core: serious or critical violations on ${what}`);
}

async function fullShot(page, name, t) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({path: file, fullPage: true});
  t.diagnostic(`screenshot: ${file}`);
}

describe('campaign landing pages /q/{slug}', () => {
  let pinned;
  before(async () => {
    pinned = JSON.parse((await get(`${VP}/v1/search?type=ebook&per_page=1`)).body).results[0];
    const save = await request('PUT', `${VP}/v1/queries/digitaal-amersfoort`, admin, JSON.stringify({
      title: 'Gratis computerhulp in Amersfoort',
      intro: 'Leer mailen, appen en videobellen bij de bibliotheek. Gratis, en u hoeft zich niet aan te melden.',
      search: {type: ['course', 'activity'], municipality: 'Amersfoort', societal_task: 'informatiesamenleving', per_page: 4},
      pinned: [pinned.id],
      valid_until: '2027-01-31',
    }));
    assert.ok(save.status === 201 || save.status === 200, `PUT: ${save.status} ${save.body}`);
    const old = await request('PUT', `${VP}/v1/queries/zomer-voorbij`, admin, JSON.stringify({
      title: 'Zomerlezen', valid_until: '2026-08-31'}));
    assert.ok(old.status === 201 || old.status === 200, `PUT: ${old.status} ${old.body}`);
  });

  it('works without JavaScript: results, more, refining, and clicks that are counted', async (t) => {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setScriptExecutionDisabled', {value: true});
    const before = JSON.parse((await get(`${VP}/v1/insights/campaigns`, STAFF)).body).campaigns
      .find((c) => c.slug === 'digitaal-amersfoort') || {visits: 0, clicks: 0, searches: 0};
    const res = await page.goto(`${VP}/q/digitaal-amersfoort?utm_source=poster&utm_medium=print`);
    assert.equal(res.status(), 200);
    assert.equal(await page.getByRole('heading', {level: 1}).textContent(), 'Gratis computerhulp in Amersfoort');
    assert.match(await page.locator('.lead').textContent(), /Leer mailen/);
    const heading = page.locator('#res-h');
    const total = parseInt((await heading.textContent()).replace(/\D/g, ''), 10);
    assert.ok(total > 4, `total ${total}`);
    assert.equal(await page.locator('ol[aria-labelledby=res-h] > li').count(), 4);
    assert.equal(await page.locator('.vp-pinned ol.vp-cards > li').count(), 1);
    assert.ok((await page.locator('.vp-pinned .vp-title').textContent()).includes(pinned.title));
    const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
    assert.equal(ld['@type'], 'ItemList');
    assert.equal(ld.itemListElement.length, 5);
    await fullShot(page, 'landing-nojs-desktop.png', t);

    /* more results: the next page, by a plain link */
    await Promise.all([page.waitForURL(/page=2/), page.getByRole('link', {name: 'Meer resultaten'}).click()]);
    assert.match(page.url(), /utm_source=poster/);
    assert.equal(await page.locator('.vp-pinned').count(), 0);
    assert.match(await page.locator('.vp-shown').textContent(), /^5–8 van \d+$/);

    /* refining: the form keeps the campaign's utm_* */
    await page.getByRole('searchbox', {name: 'Zoek binnen dit aanbod'}).fill('tablet');
    await Promise.all([page.waitForURL(/q=tablet/), page.getByRole('button', {name: 'Zoeken'}).click()]);
    assert.match(page.url(), /utm_medium=print/);
    const refined = parseInt((await heading.textContent()).replace(/\D/g, ''), 10);
    assert.ok(refined > 0 && refined < total, `${refined} of ${total}`);

    /* a click goes through the counter to the library's own page */
    const link = page.locator('ol[aria-labelledby=res-h] .vp-title a').first();
    assert.match(await link.getAttribute('href'), /^\/q\/digitaal-amersfoort\/click\?offering=/);
    const [hop] = await Promise.all([page.waitForResponse((r) => r.url().includes('/click?')), link.click()]);
    assert.equal(hop.status(), 302);
    assert.match(hop.headers().location, /^https:\/\/[^/]*example\.nl\//);
    await page.close();
    const after = JSON.parse((await get(`${VP}/v1/insights/campaigns`, STAFF)).body).campaigns
      .find((c) => c.slug === 'digitaal-amersfoort');
    assert.equal(after.visits - before.visits, 1);
    assert.equal(after.searches - before.searches, 1);
    assert.equal(after.clicks - before.clicks, 1);
    assert.ok(after.sources.some((s) => s.utm_source === 'poster' && s.utm_medium === 'print' && s.clicks >= 1));
  });

  it('with JavaScript loads more and refines in place', async (t) => {
    const page = await open(`${VP}/q/digitaal-amersfoort`);
    await page.waitForFunction(() => window.Vindplaats && document.querySelector('[data-vindplaats-campaign]').vpCampaign);
    const url0 = page.url();
    const list = page.locator('ol[aria-labelledby=res-h] > li');
    assert.equal(await list.count(), 4);
    const more = page.waitForResponse((r) => r.url().includes('page=2') && r.request().headers().accept === 'application/json');
    await page.getByRole('link', {name: 'Meer resultaten'}).click();
    await more;
    await page.locator('ol[aria-labelledby=res-h] > li:nth-child(8)').waitFor();
    assert.equal(page.url(), url0, 'no navigation');
    assert.match(await page.locator('.vp-shown').textContent(), /^1–8 van \d+$/);
    assert.ok(await page.evaluate(() => document.activeElement.closest('li') ===
      document.querySelectorAll('ol[aria-labelledby=res-h] > li')[4]), 'focus on the first new result');
    const refine = page.waitForResponse((r) => /q=tablet/.test(r.url()));
    await page.getByRole('searchbox', {name: 'Zoek binnen dit aanbod'}).fill('tablet');
    await page.getByRole('searchbox', {name: 'Zoek binnen dit aanbod'}).press('Enter');
    const body = await (await refine).json();
    await page.waitForURL(/q=tablet/);
    assert.equal(await page.locator('#res-h').textContent(), body.total === 1 ? '1 resultaat' : `${body.total} resultaten`);
    assert.ok(await page.locator('.vp-pinned').isHidden(), 'the highlighted offering steps aside for the own words');
    assert.match(await page.locator('ol[aria-labelledby=res-h] .vp-title a').first().getAttribute('href'), /\/q\/digitaal-amersfoort\/click\?offering=.*&qid=/);
    await axeCsp(page, 'the campaign landing page', t);
    await page.goto(`${VP}/q/digitaal-amersfoort`);
    await fullShot(page, 'landing-desktop.png', t);
    await done(page);
    const phone = await open(`${VP}/q/digitaal-amersfoort`, {width: 320, height: 700});
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 320), 'no horizontal scroll at 320 px');
    await shot(phone, 'landing-phone.png', t);
    await done(phone);
  });

  it('an ended or unknown campaign gets a friendly page with a search', async (t) => {
    for (const [slug, status, text] of [['zomer-voorbij', 410, /afgelopen/], ['bestaat-niet', 404, /bestaat niet/]]) {
      const page = await ctx.newPage();
      const res = await page.goto(`${VP}/q/${slug}`);
      assert.equal(res.status(), status);
      assert.match(await page.getByRole('heading', {level: 1}).textContent(), text);
      const q = page.getByRole('searchbox', {name: /Zoek in het aanbod/});
      await q.fill('digicafe');
      await Promise.all([page.waitForURL(/\/\?q=digicafe/), q.press('Enter')]);
      if (status === 410) await shot(page, 'landing-gone.png', t);
      await page.close();
    }
  });
});

describe('the offering page /o/{id} at phone and desktop width', () => {
  let several;
  before(() => {
    /* an offering with many dates still to come at the test's clock */
    const now = Date.parse(NOW);
    several = fs.readFileSync(env('VP_SAMPLE'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .find((o) => o.url && (o.occurrences || []).filter((x) => Date.parse(x.start) > now).length >= 5);
    assert.ok(several, 'the sample has an offering with five dates to come');
  });

  for (const width of [390, 1366]) {
    it(`at ${width} px: the sign-up button reads, the facts keep their columns, nothing sticks out`, async (t) => {
      const page = await open(`${VP}/o/${encodeURIComponent(several.id)}`, {width, height: 900});
      await noOverflow(page, `/o/ at ${width} px`);

      const act = page.getByRole('link', {name: /Meer informatie en aanmelden/});
      const [fg, bg] = await act.evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]);
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `the button is ${fg} on ${bg}: contrast ${ratio.toFixed(2)}`);

      /* every term in the first column, every description in the second;
         the dates are one list beside "Wanneer", "Waar" beside the place */
      const cells = await page.locator('dl.facts > *').evaluateAll((els) => els.map((e) => {
        const r = e.getBoundingClientRect();
        return {tag: e.tagName, text: e.textContent.trim(), left: r.left, top: r.top, right: r.right};
      }));
      const dts = cells.filter((c) => c.tag === 'DT'), dds = cells.filter((c) => c.tag === 'DD');
      assert.equal(dts.length, dds.length, 'one description per term');
      assert.equal(new Set(dts.map((c) => c.left)).size, 1, `terms in one column: ${JSON.stringify(dts)}`);
      assert.equal(new Set(dds.map((c) => c.left)).size, 1, `descriptions in one column: ${JSON.stringify(dds)}`);
      assert.ok(dds[0].left > Math.max(...dts.map((c) => c.right)), 'descriptions right of the terms');
      for (let i = 0; i < dts.length; i++) {
        assert.ok(Math.abs(dts[i].top - dds[i].top) < 2, `"${dts[i].text}" beside its description "${dds[i].text}"`);
      }
      const when = dts.findIndex((c) => c.text === 'Wanneer');
      assert.ok(when >= 0, 'the dates have a term');
      assert.ok(await page.locator('dl.facts dd time').count() >= 5, 'the dates are listed');
      assert.equal(await page.locator('dl.facts dd').nth(when).locator('time').count(),
        await page.locator('dl.facts time').count(), 'all dates in one description');
      assert.ok(dts.some((c) => c.text === 'Waar'), 'the place has a term');
      /* the next three dates in view, the others folded behind "Nog N data" */
      const all = await page.locator('dl.facts time').count();
      assert.equal(await page.locator('dl.facts time:visible').count(), 3, 'three dates in view');
      const fold = page.locator('dl.facts details.later summary');
      assert.equal(await fold.textContent(), `Nog ${all - 3} data`);
      await fold.click();
      assert.equal(await page.locator('dl.facts time:visible').count(), all, 'the folded dates open');
      await noOverflow(page, `/o/ with its dates open at ${width} px`);

      /* the type badge keeps its distance from the header bar */
      const header = await page.locator('header.site').boundingBox();
      const badge = await page.locator('article .vp-badge').boundingBox();
      assert.ok(badge.y - (header.y + header.height) >= 12, `badge ${badge.y} under a header ending at ${header.y + header.height}`);

      /* dates are written as the widget writes them (Intl in the browser) */
      const [dt, text] = await page.locator('dl.facts time').first()
        .evaluate((e) => [e.getAttribute('datetime'), e.textContent]);
      const intl = await page.evaluate((d) => new Intl.DateTimeFormat('nl-NL', {weekday: 'short', day: 'numeric',
        month: 'short', year: 'numeric', timeZone: 'Europe/Amsterdam'}).format(new Date(d)), dt);
      assert.ok(text.startsWith(`${intl},`), `the page writes "${text}", the widget "${intl}"`);
      await axeCsp(page, `an offering page at ${width} px`, t);
      await fullShot(page, `offering-${width}.png`, t);
      await done(page);
    });
  }

  it('a campaign page has no horizontal overflow at 390 px', async (t) => {
    const page = await open(`${VP}/q/digitaal-amersfoort`, {width: 390, height: 900});
    assert.equal(await page.getByRole('heading', {level: 1}).count(), 1);
    await noOverflow(page, '/q/ at 390 px');
    await fullShot(page, 'landing-390.png', t);
    await done(page);
  });
});

describe('pages for staff, municipalities and search engines', () => {
  it('the insights page draws its charts inline, for staff with a key', async (t) => {
    /* a query is shown once three different clients searched it */
    for (const from of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      for (const q of ['digicafe', 'digicafe', 'voorlezen', 'xylofoonorkest', 'taalcafe', 'klik en tik']) {
        await get(`${VP}/v1/search?q=${encodeURIComponent(q)}&prefer_library=bibliotheek-utrecht`, {localAddress: from});
      }
    }
    /* without a key: 401 and a password prompt (which a headless browser cannot show) */
    const anon = await get(`${VP}/insights`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers['www-authenticate'], /^Basic realm=/);
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    const external = [];
    page.on('request', (r) => { if (!r.url().startsWith(VP)) external.push(r.url()); });
    await page.setExtraHTTPHeaders({Authorization: `Bearer ${ADMIN_KEY}`});
    const res = await page.goto(`${VP}/insights?days=30`);
    assert.equal(res.status(), 200);
    const charts = page.getByRole('img');
    assert.equal(await charts.count(), 5);
    for (const name of [/Zoekopdrachten per dag/, /Meest gezocht/, /Zoekwoorden zonder resultaat/, /Doorklikken per aanbod/, /Campagnes/]) {
      assert.equal(await page.getByRole('img', {name}).count(), 1, `chart ${name}`);
    }
    assert.ok(await page.locator('svg text', {hasText: 'digicafe'}).count() >= 1);
    assert.ok(await page.locator('svg text', {hasText: 'xylofoonorkest'}).count() >= 1);
    const box = await page.getByRole('img', {name: /Zoekopdrachten per dag/}).boundingBox();
    assert.ok(box.width > 300 && box.height > 100, `chart size ${JSON.stringify(box)}`);
    assert.deepEqual(external, [], 'no assets from elsewhere');
    await page.getByLabel('Bibliotheek', {exact: true}).selectOption('bibliotheek-utrecht');
    await Promise.all([page.waitForURL(/library=bibliotheek-utrecht/), page.getByRole('button', {name: 'Toon'}).click()]);
    assert.match(await page.locator('.lead').textContent(), /bij Bibliotheek Utrecht/);
    await axeCsp(page, 'the insights page', t);
    await fullShot(page, 'insights-desktop.png', t);
    await page.setViewportSize({width: 360, height: 780});
    await shot(page, 'insights-phone.png', t);
    await page.close();
    assert.deepEqual(page.errors, []);
  });

  it('the service map shows which library offers what', async (t) => {
    const page = await open(`${VP}/services`);
    const table = page.getByRole('table', {name: 'Aanbod per bibliotheek'});
    await table.waitFor();
    assert.equal(await page.getByRole('columnheader', {name: 'Geletterde samenleving'}).count(), 1);
    assert.ok(await page.getByRole('rowheader').count() >= 20);
    assert.ok(await page.locator('td.yes').count() > 100);
    await axeCsp(page, 'the service map', t);
    await fullShot(page, 'services-desktop.png', t);
    await done(page);
  });

  it('an offering has its own page with schema.org data', async (t) => {
    const course = JSON.parse((await get(`${VP}/v1/search?type=course&per_page=1&sort=date`)).body).results[0];
    const page = await open(`${VP}/o/${encodeURIComponent(course.id)}`);
    assert.equal(await page.getByRole('heading', {level: 1}).textContent(), course.title);
    const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
    assert.equal(ld['@type'], 'Course');
    assert.equal(ld.name, course.title);
    assert.match(await page.locator('link[rel=canonical]').getAttribute('href'), /\/o\//);
    await axeCsp(page, 'an offering page', t);
    await shot(page, 'offering-desktop.png', t);
    await done(page);
  });
});

/* Near home and free: the place field, the radius, the order and "Alleen
 * gratis" in the widget and in the page without JavaScript, all kept in the
 * address so a resident can share the search. */
describe('searching near home for what is free', () => {
  const free = (r) => !r.price || r.price.amount === 0;

  for (const viewport of [{width: 1366, height: 900}, {width: 390, height: 844}]) {
    it(`the widget takes a place, a radius, an order and "Alleen gratis" at ${viewport.width} px`, async (t) => {
      const page = await open(`${VP}/`, viewport);
      const b = box(page);
      await combo(b).fill('taalcafe');
      /* close the suggestions (a second Escape would empty the box) */
      await b.getByRole('listbox').waitFor();
      await combo(b).press('Escape');
      /* on a phone the choices fold behind a button, as the filters do */
      const fold = b.getByRole('button', {name: 'Plaats en volgorde'});
      if (viewport.width < 700) {
        assert.equal(await b.getByLabel('Postcode of plaats').isVisible(), false);
        await fold.click();
        assert.equal(await fold.getAttribute('aria-expanded'), 'true');
      } else {
        assert.equal(await fold.isVisible(), false);
      }
      await b.getByLabel('Postcode of plaats').fill('Amersfoort');
      await b.getByLabel('Afstand').selectOption('10');
      await b.getByLabel('Volgorde').selectOption('date');
      const answer = searched(page, (p) => p.get('free') === 'true' && p.get('place') === 'Amersfoort');
      await b.getByLabel('Alleen gratis').check();
      const res = await answer;
      const p = new URL(res.url()).searchParams;
      assert.equal(p.get('q'), 'taalcafe');
      assert.equal(p.get('radius_km'), '10');
      assert.equal(p.get('sort'), 'date');
      const d = await res.json();
      assert.equal(d.query.place, 'Amersfoort');
      assert.ok(d.results.length > 0, 'nothing free near Amersfoort');
      for (const r of d.results) {
        assert.ok(free(r), `${r.title} costs ${JSON.stringify(r.price)}`);
        if (r.channel !== 'online') assert.ok(r.distance_km <= 10.05, `${r.title} is ${r.distance_km} km away`);
      }
      await settled(b);
      const n = await total(b);
      /* the address holds the whole search: opened again, the same search */
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('q'), 'taalcafe');
      assert.equal(url.searchParams.get('place'), 'Amersfoort');
      assert.equal(url.searchParams.get('free'), 'true');
      assert.equal(url.searchParams.get('sort'), 'date');
      assert.equal(url.searchParams.get('radius_km'), '10');
      await noOverflow(page, `/ with a place at ${viewport.width} px`);
      await axeCsp(page, `the search page near home at ${viewport.width} px`, t);
      await shot(page, `home-near-free-${viewport.width}.png`, t);
      const again = await open(url.href, viewport);
      const b2 = box(again);
      assert.equal(await total(b2), n);
      if (viewport.width < 700) {
        assert.match(await b2.getByRole('button', {name: /Plaats en volgorde/}).textContent(), /3 actief/);
        await b2.getByRole('button', {name: /Plaats en volgorde/}).click();
      }
      assert.equal(await b2.getByLabel('Postcode of plaats').inputValue(), 'Amersfoort');
      assert.equal(await b2.getByLabel('Alleen gratis').isChecked(), true);
      assert.equal(await b2.getByLabel('Volgorde').inputValue(), 'date');
      await done(again);
      await done(page);
    });
  }

  it('the widget says so when it does not know the place', async () => {
    const page = await open(`${VP}/?q=taalcafe`);
    const b = box(page);
    await settled(b);
    const place = b.getByLabel('Postcode of plaats');
    const answer = searched(page, (p) => p.get('place') === 'Atlantis');
    await place.fill('Atlantis');
    await place.press('Enter');
    assert.equal((await answer).status(), 400);
    await b.getByText('Deze plaats kennen we niet').waitFor();
    assert.equal(await place.getAttribute('aria-invalid'), 'true');
    await done(page);
  });

  it('facets show the names of the vocabulary and say what they count', async () => {
    const page = await open(`${VP}/?q=digitaal`);
    const b = box(page);
    await settled(b);
    const fac = b.locator('.vp-fac');
    for (const name of ['E-books', 'Klik & Tik', 'Digitaal spreekuur']) await fac.getByText(name, {exact: true}).first().waitFor();
    assert.equal(await fac.getByText('E Books', {exact: true}).count(), 0);
    assert.equal(await fac.getByText('Klik en Tik', {exact: true}).count(), 0);
    assert.match(await fac.textContent(), /De getallen tellen aanbiedingen/);
    await done(page);
  });

  for (const viewport of [{width: 1366, height: 900}, {width: 390, height: 844}]) {
    it(`without JavaScript the form searches / and the server shows the results at ${viewport.width} px`, async (t) => {
      const page = await ctx.newPage();
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', {value: true});
      await page.setViewportSize(viewport);
      await page.goto(`${VP}/`);
      const form = page.getByRole('search');
      await form.getByLabel('Zoek in het aanbod van alle bibliotheken').fill('taalcafe');
      await form.getByLabel('Postcode of plaats').fill('Amersfoort');
      await form.getByLabel('Alleen gratis').check();
      await Promise.all([page.waitForURL(/place=Amersfoort/), form.getByRole('button', {name: 'Zoeken'}).click()]);
      const url = new URL(page.url());
      assert.equal(url.pathname, '/');
      assert.equal(url.searchParams.get('free'), 'true');
      assert.equal(url.searchParams.get('radius_km'), '25');
      assert.match(await page.locator('#res-h').textContent(), /\d+ resultaten?/);
      const cards = page.locator('ol[aria-labelledby=res-h] > li.vp-card');
      assert.ok(await cards.count() > 0);
      for (const price of await page.locator('.vp-price').allTextContents()) assert.match(price, /Gratis/);
      assert.equal(await form.getByLabel('Postcode of plaats').inputValue(), 'Amersfoort');
      assert.doesNotMatch(await page.locator('body').innerText(), /"results"/, 'raw JSON on the page');
      /* measuring takes script: allowed again, on the page as it was parsed without */
      await cdp.send('Emulation.setScriptExecutionDisabled', {value: false});
      await noOverflow(page, `/ without JavaScript at ${viewport.width} px`);
      await axeCsp(page, `the search page without JavaScript at ${viewport.width} px`, t);
      await fullShot(page, `home-nojs-${viewport.width}.png`, t);
      /* a place the server does not know is said in words, with the form kept */
      await cdp.send('Emulation.setScriptExecutionDisabled', {value: true});
      const res = await page.goto(`${VP}/?q=taalcafe&place=Atlantis&radius_km=25`);
      assert.equal(res.status(), 400);
      assert.match(await page.getByRole('alert').textContent(), /Deze plaats kennen we niet/);
      assert.equal(await page.getByLabel('Zoek in het aanbod van alle bibliotheken').inputValue(), 'taalcafe');
      await page.close();
    });
  }
});

/* The service map narrowed to a place, its wide table scrolling in its own
 * box with a hint; the staff charts readable on a phone. */
describe('the service map and the staff charts on a phone', () => {
  it('/services narrows to a municipality or province; the table scrolls inside its box', async (t) => {
    for (const viewport of [{width: 390, height: 844}, {width: 1366, height: 900}]) {
      /* a cold server builds the map off the request path first */
      for (let i = 0; i < 120 && !/<table/.test((await get(`${VP}/services`)).body); i++) await new Promise((r) => setTimeout(r, 500));
      const page = await open(`${VP}/services`, viewport);
      await noOverflow(page, `/services at ${viewport.width} px`);
      const region = page.locator('.scroll[role=region]');
      const [sw, cw] = await region.evaluate((e) => [e.scrollWidth, e.clientWidth]);
      assert.ok(cw <= viewport.width, `the table's box is ${cw} px wide`);
      if (sw > cw) assert.ok(await page.locator('.scroll-hint').isVisible(), 'no hint that the table scrolls');
      assert.equal(await region.getAttribute('aria-describedby'), 'matrix-hint');
      await page.getByLabel('Provincie').selectOption('Utrecht');
      await Promise.all([page.waitForURL(/province=Utrecht/), page.getByRole('button', {name: 'Toon'}).click()]);
      const rows = await page.getByRole('rowheader').allTextContents();
      assert.ok(rows.length > 0 && rows.some((r) => /Utrecht|Eemland/.test(r)), rows.join(', '));
      assert.ok(!rows.some((r) => /Groningen/.test(r)), rows.join(', '));
      await noOverflow(page, `/services?province=Utrecht at ${viewport.width} px`);
      await axeCsp(page, `the service map at ${viewport.width} px`, t);
      await shot(page, `services-${viewport.width}.png`, t);
      await done(page);
    }
  });

  it('/insights splits nothing found into nothing offered and nothing through filters; chart text of 12 px or more on a phone', async (t) => {
    await get(`${VP}/v1/search?q=taalcafe&type=ebook`);
    await get(`${VP}/v1/search?q=xylofoonzeppelinorkest`);
    const days = JSON.parse((await get(`${VP}/v1/insights/days?days=7`, STAFF)).body);
    assert.ok(days.totals.zero_by_filters >= 1, JSON.stringify(days.totals));
    assert.ok(days.totals.zero_results > days.totals.zero_by_filters, JSON.stringify(days.totals));
    const page = await ctx.newPage();
    await page.setExtraHTTPHeaders({Authorization: `Bearer ${ADMIN_KEY}`});
    await page.setViewportSize({width: 390, height: 844});
    await page.goto(`${VP}/insights?days=7`);
    const lead = await page.locator('.lead').textContent();
    assert.match(lead, /niets in het aanbod/);
    assert.match(lead, /niets door filters/);
    await noOverflow(page, '/insights at 390 px');
    /* the smallest chart text as drawn: its font size times the chart's scale */
    const smallest = await page.evaluate(() => Math.min(...[...document.querySelectorAll('svg.chart')].map((svg) => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return Math.min(...[...svg.querySelectorAll('text')].map((x) => parseFloat(x.getAttribute('font-size')) * scale));
    })));
    assert.ok(smallest >= 12, `chart text of ${smallest.toFixed(1)} px on a phone`);
    await axeCsp(page, 'the insights page at 390 px', t);
    await shot(page, 'insights-390.png', t);
    await page.close();
  });
});

/* Every page a resident or a member of staff sees, at a phone's and a desktop's
 * width: no axe-core violations at all, nothing wider than the window, the
 * sign-up button readable, Open Graph (with an absolute og:image that the server
 * serves) exactly on the pages meant to be shared. A full-page screenshot of each
 * is kept in the artifacts (page-NAME-WIDTH.png). */
describe('every page at 390 and 1366 px', () => {
  const pages = [];
  /* Checks left to a test case of their own (page-width:check keys): none. */
  const elsewhere = new Set();
  before(async () => {
    const save = await request('PUT', `${VP}/v1/queries/alle-paginas`, admin, JSON.stringify({
      title: 'Taalcafés bij de bibliotheek',
      intro: 'Nederlands oefenen in een gesprek, gratis en zonder aanmelding.',
      search: {proposition: ['taalcafe'], per_page: 4},
    }));
    assert.ok(save.status === 201 || save.status === 200, `PUT: ${save.status} ${save.body}`);
    const now = Date.parse(NOW);
    const signup = fs.readFileSync(env('VP_SAMPLE'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .find((o) => o.url && o.proposition === 'taalcafe' && o.municipality === 'Amersfoort' &&
        (o.occurrences || [o]).some((x) => Date.parse(x.start) > now));
    assert.ok(signup, 'the sample has a Taalcafé in Amersfoort still to come');
    pages.push(
      {name: 'home', path: '/', status: 200},
      {name: 'search', path: '/?q=taalcafe', status: 200, results: true},
      {name: 'offering', path: `/o/${encodeURIComponent(signup.id)}`, status: 200, shared: true, signup: true},
      {name: 'landing', path: '/q/alle-paginas', status: 200, shared: true},
      {name: 'proposition', path: '/p/taalcafe', status: 200, shared: true, jsonld: 'ItemList'},
      {name: 'proposition-place', path: '/p/taalcafe/amersfoort', status: 200, shared: true, jsonld: 'ItemList'},
      {name: 'insights', path: '/insights', status: 200, staff: true},
      {name: 'services', path: '/services', status: 200},
      {name: 'error', path: '/o/bestaat%3Aniet', status: 404},
    );
  });

  async function visit(p, width) {
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    if (p.staff) await page.setExtraHTTPHeaders({Authorization: `Bearer ${ADMIN_KEY}`});
    await page.setViewportSize({width, height: 900});
    const res = await page.goto(`${VP}${p.path}`);
    assert.equal(res.status(), p.status, `${p.path}: status`);
    if (p.results) await page.locator('.vp-res:not(.vp-busy) .vp-card').first().waitFor();
    return page;
  }

  /* [check, message] pairs of one page at one width; a failed check whose key
   * is in `elsewhere` is left to the test case that names that work */
  async function judge(page, p, width, t, only) {
    const key = (k) => `${p.name}-${width}:${k}`;
    const failures = [];
    const check = (k, cond, msg) => {
      if (only ? only.has(key(k)) : !elsewhere.has(key(k))) {
        if (!cond) failures.push(msg);
      } else if (!cond) {
        t.diagnostic(`${key(k)}: ${msg} (judged in its own test case)`);
      }
    };
    const [sw, vw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    check('overflow', sw <= vw, `${p.path} at ${width} px: the page is ${sw} px wide`);
    /* SVG chart text: at least 12 px as drawn on the screen */
    const small = await page.evaluate(() => [...document.querySelectorAll('svg text')].map((e) => {
      const r = e.getBoundingClientRect(), fs = parseFloat(getComputedStyle(e).fontSize);
      const svg = e.ownerSVGElement, vb = svg && svg.viewBox.baseVal;
      const scale = vb && vb.width ? svg.getBoundingClientRect().width / vb.width : 1;
      return {text: e.textContent, px: fs * scale, w: r.width};
    }).filter((x) => x.px < 12));
    check('chart-text', small.length === 0,
      `${p.path} at ${width} px: chart text below 12 px: ${small.slice(0, 3).map((x) => `"${x.text}" ${x.px.toFixed(1)} px`).join(', ')}`);
    if (p.signup) {
      const act = page.getByRole('link', {name: /Meer informatie en aanmelden/});
      const [fg, bg] = await act.evaluate((e) => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]);
      check('signup', contrast(fg, bg) >= 4.5, `the sign-up button is ${fg} on ${bg}: ${contrast(fg, bg).toFixed(2)}`);
    }
    const og = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('meta[property^="og:"], meta[name^="twitter:"]')]
      .map((m) => [m.getAttribute('property') || m.getAttribute('name'), m.getAttribute('content')])));
    const canonical = await page.locator('link[rel=canonical]').getAttribute('href').catch(() => null);
    if (p.shared) {
      for (const k of ['og:title', 'og:description', 'og:url', 'og:image', 'og:type', 'og:site_name', 'twitter:card']) {
        check(`og-${k}`, !!og[k], `${p.path}: no ${k}`);
      }
      check('og-url', og['og:url'] === canonical && /^http:\/\/127\.0\.0\.1:\d+\//.test(canonical || ''),
        `${p.path}: og:url ${og['og:url']} is not the absolute canonical ${canonical}`);
      check('og-card', og['twitter:card'] === 'summary_large_image', `${p.path}: twitter:card ${og['twitter:card']}`);
      if (/^http:\/\/127\.0\.0\.1/.test(og['og:image'] || '')) {
        const img = await get(og['og:image']);
        check('og-image', img.status === 200 && /^image\/(png|jpeg)$/.test(img.headers['content-type']),
          `${p.path}: og:image ${og['og:image']} answers ${img.status} ${img.headers['content-type']}`);
      } else {
        check('og-image', /^https?:\/\//.test(og['og:image'] || ''), `${p.path}: og:image ${og['og:image']} is not absolute`);
      }
    } else {
      check('og-none', Object.keys(og).length === 0, `${p.path}: Open Graph on a page not meant for sharing`);
    }
    if (p.jsonld) {
      const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
      check('jsonld', ld['@type'] === p.jsonld && ld.itemListElement.length > 0 &&
        ld.itemListElement.every((e) => ['Event', 'Course'].includes(e.item['@type'])),
      `${p.path}: JSON-LD ${JSON.stringify(ld).slice(0, 200)}`);
    }
    if (!only) {
      await page.waitForFunction(() => [...document.querySelectorAll('.vp-res')].every(
        (e) => !e.classList.contains('vp-busy') && getComputedStyle(e).opacity === '1'));
      await page.evaluate(fs.readFileSync(AXE, 'utf8'));
      const res = await page.evaluate(() => window.axe.run(document, {resultTypes: ['violations']}));
      check('axe', res.violations.length === 0, `axe-core on ${p.path} at ${width} px: ${res.violations.map((v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('; ')}`);
      await fullShot(page, `page-${p.name}-${width}.png`, t);
    }
    return failures;
  }

  for (const width of [390, 1366]) {
    it(`at ${width} px: no axe violations, no overflow, the button readable, Open Graph where shared`, async (t) => {
      const failures = [];
      for (const p of pages) {
        const page = await visit(p, width);
        failures.push(...await judge(page, p, width, t));
        await page.close();
        failures.push(...page.errors.map((e) => `${p.path}: ${e}`));
      }
      assert.deepEqual(failures, []);
    });
  }
});
