// The browser tests of the storefront widget and the agent console, against
// the real gateway (`chatgw demo`) in Debian's Chromium. Run by
// scripts/test.sh; alone: `node testkit/browser/run.mjs` after
// `cargo build -p chatgw` and `bash scripts/setup-browser.sh`.
//
// Screenshots are taken on every run into target/browser-screenshots/;
// `--update-docs` also copies them to docs/ for the README.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

import { AXE_SOURCE, REPO, Setup, hostOrigin, launchBrowser, startGateway, startHostPages, startSlowRelay, suite, until } from './harness.mjs';
import { ask, axeViolations, consoleSignIn, idle, inWidget, lastOf, load, openPanel, recordAnswerText, snapshot } from './widget.mjs';

const STORE_KEY = 'pk_demo';
const SHOTS = join(REPO, 'target', 'browser-screenshots');
const DOCS = join(REPO, 'docs');
const updateDocs = process.argv.includes('--update-docs');
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const MOBILE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const QUESTION = 'linen shirt for a summer wedding';

const tests = suite();

/** A fresh browser profile that reaches nothing but this machine. */
async function newContext(env, options = DESKTOP) {
  const context = await env.browser.newContext({ ...options, locale: 'en-GB' });
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort('blockedbyclient'));
  return context;
}

async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, name);
  await page.screenshot({ path: file });
  if (updateDocs) {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, name));
  }
}

// --- The SSE parser, on its own ---------------------------------------------------

tests.test('the event-stream parser gives the same events however the stream is cut', () => {
  const sandbox = {};
  vm.runInNewContext(readFileSync(join(REPO, 'widget', 'sse.js'), 'utf8') + '\nthis.sseParser = sseParser;', sandbox);
  const stream = ': keep-alive\r\nevent: session\r\ndata: {"session_id":"s1"}\r\n\r\nevent: token\ndata: {"text":"Hola, "}\n\n'
    + 'event: token\rdata: {"text":"¿qué tal? 👋"}\r\rdata: line one\ndata: line two\nid: 7\n\nevent: done\ndata: {}\n\n';
  const expected = [['session', '{"session_id":"s1"}'], ['token', '{"text":"Hola, "}'], ['token', '{"text":"¿qué tal? 👋"}'], ['message', 'line one\nline two'], ['done', '{}']];
  for (let cut = 0; cut <= stream.length; cut++) {
    for (const pieces of [[stream.slice(0, cut), stream.slice(cut)], [...stream]]) {
      const events = [];
      const push = sandbox.sseParser((name, data) => events.push([name, data]));
      pieces.forEach(push);
      assert.deepEqual(events, expected, `cut at ${cut}`);
    }
  }
});

// --- The widget on storefront pages ------------------------------------------------

tests.test('the widget loads on a plain page: launcher, panel, theme, words, keyboard', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await load(page, `${env.host.origin}/store.html`);
  const launcher = inWidget(page, '.launcher');
  const box = await launcher.boundingBox();
  assert.deepEqual([Math.round(box.width), Math.round(box.height)], [60, 60]);
  assert.ok(box.x + box.width <= 1280 - 16 && box.y + box.height <= 800 - 16, 'the launcher sits in the bottom-right corner');
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(160, 63, 42)', "the store's colour");

  // Keyboard: Tab reaches the launcher, Enter opens and focuses the input, Escape closes and gives focus back.
  await launcher.focus();
  await page.keyboard.press('Enter');
  await inWidget(page, '.panel').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.querySelector('chatgw-widget').shadowRoot.activeElement?.tagName), 'TEXTAREA');
  const state = await snapshot(page);
  assert.match(state.messages[0].text, /^Hola! Welcome to Lumen & Thread/, "the store's greeting");
  assert.equal(state.person.label, 'Talk to a person');
  assert.equal(await inWidget(page, '.footer a').getAttribute('href'), 'https://demo.lumenthread.example/pages/privacy');
  assert.match(await inWidget(page, '.footer').textContent(), /AI assistant/);
  assert.equal(await inWidget(page, '.launcher').getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('Escape');
  await inWidget(page, '.panel').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.querySelector('chatgw-widget').shadowRoot.activeElement?.className), 'launcher');

  // The widget's CSS stays in its shadow root: the shop's own .panel and .launcher keep their looks.
  const shopPanel = await page.evaluate(() => ({ position: getComputedStyle(document.getElementById('page-panel')).position, radius: getComputedStyle(document.getElementById('page-launcher')).borderRadius }));
  assert.deepEqual(shopPanel, { position: 'static', radius: '0px' });
  assert.deepEqual(errors, []);
  await context.close();
});

tests.test('a wrong store key or an origin the store does not allow draws nothing and says why in the console', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${env.host.origin}/store.html?key=pk_not_a_store`);
  await until('the wrong key to be reported', () => errors.some((e) => e.includes('chatgw widget: no store has this public key')));
  // localhost is another origin than 127.0.0.1, and not in the demo's allowed origins.
  await page.goto(env.host.origin.replace('127.0.0.1', 'localhost') + '/store.html');
  await until('the origin to be reported', () => errors.some((e) => e.includes('chatgw widget: origin `http://localhost:')));
  assert.equal(await page.locator('chatgw-widget').count(), 0, 'nothing drawn');
  await context.close();
});

tests.test('the widget stays intact on a page with hostile global CSS', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  await load(page, `${env.host.origin}/hostile.html`);
  const launcher = inWidget(page, '.launcher');
  await launcher.waitFor({ state: 'visible' });
  const box = await launcher.boundingBox();
  assert.deepEqual([Math.round(box.width), Math.round(box.height)], [60, 60], 'launcher size');
  await launcher.click();
  const panel = inWidget(page, '.panel');
  await panel.waitFor({ state: 'visible' });
  const looks = await page.evaluate(() => {
    const root = document.querySelector('chatgw-widget').shadowRoot;
    const style = (selector) => getComputedStyle(root.querySelector(selector));
    const rect = (selector) => root.querySelector(selector).getBoundingClientRect();
    return {
      host: getComputedStyle(document.querySelector('chatgw-widget')).display,
      panel: [Math.round(rect('.panel').width), style('.panel').display, style('.panel').visibility],
      font: [style('textarea').fontSize, style('.bubble').fontSize, style('.title').fontStyle, style('.bubble').letterSpacing],
      sendButton: [Math.round(rect('.send').width), Math.round(rect('.send').height)],
      boxSizing: style('.composer').boxSizing,
      icon: style('.send svg').display,
    };
  });
  assert.deepEqual(looks, {
    host: 'block',
    panel: [384, 'flex', 'visible'],
    font: ['15px', '14.5px', 'normal', 'normal'],
    sendButton: [44, 44],
    boxSizing: 'border-box',
    icon: 'block',
  });
  const state = await ask(page, QUESTION);
  assert.ok(lastOf(state, 'assistant').text.length > 20, 'an answer on the hostile page');
  assert.ok(lastOf(state, 'assistant').cards.length > 0, 'product cards on the hostile page');
  const card = await inWidget(page, '.card').first().boundingBox();
  assert.equal(Math.round(card.width), 148, 'a product card keeps its size');
  await context.close();
});

tests.test('a question gets a streamed answer with product cards, and a reload restores the conversation', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  // Through the slow relay, so the answer's events arrive one by one.
  await load(page, `${env.host.origin}/store.html?slow`);
  await openPanel(page);
  await recordAnswerText(page);
  const state = await ask(page, QUESTION);
  const answer = lastOf(state, 'assistant');
  const texts = await page.evaluate(() => window.__answerTexts);
  assert.ok(texts.length >= 2, `the answer appeared in steps, not at once: ${JSON.stringify(texts)}`);
  assert.ok(texts.every((t) => answer.text.startsWith(t)), 'each step is the start of the final answer');
  assert.ok(await page.evaluate(() => window.__sawTyping), 'the typing indicator showed before the first words');
  assert.ok(answer.cards.length >= 1, 'at least one product card');
  const [card] = answer.cards;
  assert.match(card.title, /\w/);
  assert.match(card.price, /€/);
  assert.match(card.href, /^https:\/\/demo\.lumenthread\.example\/products\//);
  assert.equal(await inWidget(page, '.card .placeholder').first().isVisible(), true, 'an image that cannot load becomes a tile');

  await page.reload();
  await page.waitForSelector('chatgw-widget[data-ready="true"]', { state: 'attached' });
  await inWidget(page, '.panel').waitFor({ state: 'visible' });
  const restored = await snapshot(page);
  const restoredAnswer = lastOf(restored, 'assistant');
  assert.equal(lastOf(restored, 'user').text, QUESTION);
  assert.equal(restoredAnswer.text, answer.text);
  assert.deepEqual(restoredAnswer.cards, answer.cards, 'the cards come back with their answer');
  await context.close();
});

tests.test('the page language, then each message\'s language, sets the widget\'s words', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  await load(page, `${env.host.origin}/store.html?lang=es`);
  await openPanel(page);
  let state = await snapshot(page);
  assert.equal(state.person.label, 'Hablar con una persona');
  assert.match(state.messages[0].text, /^¡Hola! Bienvenido/);
  assert.equal(state.lang, 'es');
  state = await ask(page, 'Bonjour, avez-vous une chemise en lin pour un mariage cet été ?');
  assert.equal(state.lang, 'fr', 'the answer was in French, so the widget speaks French');
  assert.equal(state.person.label, 'Parler à une personne');
  assert.equal(state.placeholder, 'Produits, tailles, commandes…');
  await context.close();
});

// --- Talk to a person: widget and console together ------------------------------------

tests.test('"talk to a person" reaches the console; the agent\'s reply reaches the widget live; the bot stays silent', async (env) => {
  const shopper = await newContext(env);
  const page = await shopper.newPage();
  await load(page, `${env.host.origin}/store.html`);
  await openPanel(page);
  const first = await ask(page, QUESTION);
  const shown = lastOf(first, 'assistant').cards.map((c) => c.title);

  await inWidget(page, '.person').click();
  const handed = await until('the handoff acknowledgement', async () => {
    const s = await snapshot(page);
    return s.person.disabled && s.messages.at(-1).text.includes('person on our team') && s;
  });
  assert.equal(handed.person.state, 'Waiting for a person from our team');

  const agentSide = await newContext(env);
  const consolePage = await agentSide.newPage();
  await consoleSignIn(consolePage, env.gateway.base, env.gateway.agentToken, 'Marta');
  const ticket = consolePage.locator('.ticket').first();
  await ticket.waitFor();
  assert.match(await ticket.textContent(), /escalate.*Asked for a person.*en.*Waiting/s);
  await ticket.click();
  await consolePage.waitForSelector('#transcript li.user');
  assert.match(await consolePage.textContent('#transcript'), new RegExp(QUESTION));
  const products = await consolePage.locator('#products .name').allTextContents();
  assert.ok(shown.some((title) => products.includes(title)), `the products shown to the shopper are in the console: ${products}`);

  await consolePage.click('#claim');
  await until('the claim to reach the widget', async () => (await snapshot(page)).notices.includes('Marta from our team has joined'));
  await consolePage.fill('#reply', 'Hi, I am Marta. The Sitges shirt runs true to size; would you like me to hold an M for you?');
  await consolePage.click('#send');
  const replied = await until('the agent reply in the widget', async () => {
    const s = await snapshot(page);
    return lastOf(s, 'agent') && s;
  });
  assert.equal(lastOf(replied, 'agent').who, 'Marta');
  assert.match(lastOf(replied, 'agent').text, /hold an M for you/);

  // While Marta has the conversation the assistant says nothing; the message goes to her.
  const assistantBefore = replied.messages.filter((m) => m.role === 'assistant').length;
  const quiet = await ask(page, 'Yes please, and does it come in blue?');
  assert.equal(quiet.messages.filter((m) => m.role === 'assistant').length, assistantBefore, 'no bot answer while a person has the conversation');
  assert.equal(lastOf(quiet, 'user').status, 'Sent to our team');
  await until('the shopper message in the console', async () => (await consolePage.textContent('#transcript')).includes('does it come in blue?'));
  await screenshot(consolePage, 'console-desktop.png');
  await page.mouse.move(0, 0);
  await screenshot(page, 'widget-handoff-desktop.png');

  assert.deepEqual(await axeViolations(consolePage, AXE_SOURCE()), [], 'the console has no serious or critical accessibility violations');

  const mobileConsole = await newContext(env, MOBILE);
  const phone = await mobileConsole.newPage();
  await consoleSignIn(phone, env.gateway.base, env.gateway.agentToken, 'Marta');
  await phone.locator('.ticket').first().tap();
  await phone.waitForSelector('#transcript li.agent');
  await phone.locator('#transcript li').last().scrollIntoViewIfNeeded();
  await screenshot(phone, 'console-mobile.png');
  await mobileConsole.close();

  await consolePage.click('#resolve');
  await until('the resolution to reach the widget', async () => (await snapshot(page)).notices.includes('The assistant is answering again.'));
  assert.equal(await consolePage.isVisible('#reply-form'), false, 'no replies to a resolved conversation');
  await consolePage.click('#tab-resolved');
  await consolePage.locator('.ticket', { hasText: 'Asked for a person' }).waitFor();
  const back = await ask(page, 'Do you have linen trousers too?');
  assert.ok(back.messages.at(-1).role === 'assistant' && back.messages.at(-1).text.length > 0, 'the bot answers again once resolved');
  assert.equal((await snapshot(page)).person.disabled, false);
  await Promise.all([shopper.close(), agentSide.close()]);
});

// --- Limits and failures ---------------------------------------------------------------

tests.test('a rate-limited shopper sees a countdown, then sends again', async (env) => {
  // Its own gateway: the per-session limit is reached by sending, and the
  // other tests' messages must not count towards this address's budget.
  const site = await hostOrigin();
  const gateway = await startGateway({ origins: [site.origin] });
  const host = await startHostPages(gateway, STORE_KEY, site.port);
  try {
    const context = await newContext(env);
    const page = await context.newPage();
    await load(page, `${host.origin}/store.html`);
    await openPanel(page);
    let state;
    for (let i = 1; i <= 10; i++) {
      state = await ask(page, `Do you have linen shirts in size ${i}?`);
      if (state.alert) break;
    }
    assert.equal(state.alert?.kind, 'wait', `a rate-limit state after a burst of messages: ${JSON.stringify(state.alert)}`);
    assert.match(state.alert.text, /You are sending messages too fast\. You can send again in \d+ s\./);
    assert.equal(lastOf(state, 'user').status, 'Not sent');
    await inWidget(page, 'textarea').fill('one more');
    assert.equal((await snapshot(page)).sendDisabled, true, 'sending waits for the countdown');
    const ready = await until('the countdown to end', async () => {
      const s = await snapshot(page);
      return s.alert?.text === 'You can send again.' && s;
    }, 70_000);
    assert.equal(ready.alert.action, 'Retry');
    await inWidget(page, 'textarea').fill('');
    await inWidget(page, '.alert button').click();
    const recovered = await idle(page);
    assert.equal(recovered.alert, null);
    assert.equal(lastOf(recovered, 'user').status, '');
    assert.match(lastOf(recovered, 'user').text, /^Do you have linen shirts in size \d+\?$/);
    assert.ok(recovered.messages.at(-1).role === 'assistant' && recovered.messages.at(-1).text.length > 0, 'the retried message is answered');
    await context.close();
  } finally {
    await host.close();
    await gateway.stop();
  }
});

tests.test('an unreachable gateway and an offline browser show a clear state and recover', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  await load(page, `${env.host.origin}/store.html`);
  await openPanel(page);
  const chat = `${env.gateway.base}/v1/chat`;
  await page.route(chat, (route) => route.abort('connectionrefused'));
  let state = await ask(page, 'Do you ship to Portugal?');
  assert.deepEqual(state.alert, { kind: 'error', text: 'We could not reach the assistant.', action: 'Retry' });
  assert.equal(lastOf(state, 'user').status, 'Not sent');
  await page.unroute(chat);
  await inWidget(page, '.alert button').click();
  state = await idle(page);
  assert.equal(state.alert, null);
  assert.equal(lastOf(state, 'user').status, '');
  assert.ok(state.messages.at(-1).role === 'assistant' && state.messages.at(-1).text.length > 0, 'the retried message is answered');

  // A gateway error in the middle of the answer's stream.
  await page.route(chat, (route) => route.fulfill({ status: 503, contentType: 'application/json', headers: { 'Retry-After': '1' }, body: JSON.stringify({ error: { code: 'service_unavailable', message: 'down for a moment' } }) }));
  state = await ask(page, 'And to France?');
  assert.equal(state.alert.kind, 'error');
  await page.unroute(chat);

  await context.setOffline(true);
  state = await ask(page, 'How long does delivery to Spain take?');
  assert.deepEqual(state.alert, { kind: 'offline', text: 'You are offline. Your message will be sent when you are back online.', action: 'Retry' });
  await context.setOffline(false);
  state = await until('the message to go out once online', async () => {
    const s = await snapshot(page);
    return !s.alert && lastOf(s, 'user').text === 'How long does delivery to Spain take?' && s.messages.at(-1).role === 'assistant' && !s.messages.at(-1).busy && s;
  });
  assert.ok(lastOf(state, 'assistant').text.length > 0);
  await context.close();
});

tests.test('after a dropped connection the live stream comes back with the agent reply it missed', async (env) => {
  const context = await newContext(env);
  const page = await context.newPage();
  // Through the relay, whose connections the test can cut.
  await load(page, `${env.host.origin}/store.html?slow`);
  await openPanel(page);
  await ask(page, 'My parcel arrived damaged, the zip is broken');
  await until('a ticket for the damaged parcel', async () => (await snapshot(page)).person.disabled);
  const agentApi = (path, body) => fetch(env.gateway.base + '/v1/agent' + path, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: 'Bearer ' + env.gateway.agentToken, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  }).then((r) => r.json());
  const session = await page.evaluate(() => Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1]);
  const { tickets } = await agentApi('/tickets');
  const ticket = tickets.find((t) => t.conversation_id === session);
  assert.ok(ticket, 'the conversation has a ticket');
  assert.equal(ticket.reason, 'damaged_item');

  await context.setOffline(true);
  env.relay.drop();
  await agentApi(`/tickets/${ticket.id}/reply`, { agent: 'Jordi', text: 'So sorry about the zip. I have sent you a prepaid return label by email.' });
  const dropped = await until('the widget to notice the drop', async () => {
    const s = await snapshot(page);
    return s.person.state === 'Reconnecting…' && s;
  });
  assert.equal(lastOf(dropped, 'agent'), undefined, 'offline, nothing arrives');
  await context.setOffline(false);
  const caught = await until('the missed reply after reconnecting', async () => lastOf(await snapshot(page), 'agent'));
  assert.match(caught.text, /prepaid return label/);
  await agentApi(`/tickets/${ticket.id}/reply`, { agent: 'Jordi', text: 'The label is valid for 30 days.' });
  await until('a live reply on the new stream', async () => lastOf(await snapshot(page), 'agent')?.text === 'The label is valid for 30 days.');
  assert.equal((await snapshot(page)).messages.filter((m) => m.role === 'agent').length, 2, 'each reply once');
  await agentApi(`/tickets/${ticket.id}/resolve`, {});
  await context.close();
});

// --- Accessibility, mobile and the README's screenshots ----------------------------------

tests.test('axe finds no serious or critical violations in the widget; the mobile panel fills the screen', async (env) => {
  const desktop = await newContext(env);
  const page = await desktop.newPage();
  await load(page, `${env.host.origin}/store.html`);
  assert.deepEqual(await axeViolations(page, AXE_SOURCE(), 'chatgw-widget'), [], 'closed widget');
  await openPanel(page);
  await ask(page, QUESTION);
  assert.deepEqual(await axeViolations(page, AXE_SOURCE(), 'chatgw-widget'), [], 'open widget with an answer and cards');
  await page.mouse.move(0, 0);
  await screenshot(page, 'widget-desktop.png');
  await desktop.close();

  const mobile = await newContext(env, MOBILE);
  const phone = await mobile.newPage();
  await load(phone, `${env.host.origin}/store.html`);
  await inWidget(phone, '.launcher').tap();
  await inWidget(phone, '.panel').waitFor({ state: 'visible' });
  const panel = await inWidget(phone, '.panel').boundingBox();
  assert.deepEqual([panel.x, panel.y, panel.width, panel.height], [0, 0, 390, 844], 'full-screen panel under 480 px');
  assert.equal(await inWidget(phone, '.launcher').isVisible(), false, 'the launcher steps aside; the header closes the panel');
  await ask(phone, QUESTION);
  assert.deepEqual(await axeViolations(phone, AXE_SOURCE(), 'chatgw-widget'), [], 'mobile widget');
  await screenshot(phone, 'widget-mobile.png');
  await inWidget(phone, '.header .icon-button').tap();
  await inWidget(phone, '.panel').waitFor({ state: 'hidden' });
  await mobile.close();
});

// --- Run -----------------------------------------------------------------------------

async function main() {
  let env;
  try {
    const browser = await launchBrowser();
    const site = await hostOrigin();
    const gateway = await startGateway({ origins: [site.origin] });
    const relay = await startSlowRelay(gateway);
    const host = await startHostPages(gateway, STORE_KEY, site.port, relay);
    env = { browser, gateway, host, relay };
  } catch (error) {
    if (error instanceof Setup) {
      console.error(`browser tests cannot run: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  console.log(`browser tests: Chromium ${env.browser.version()}, gateway ${env.gateway.base}, pages ${env.host.origin}`);
  let result;
  try {
    result = await tests.run(env);
  } finally {
    await env.browser.close();
    await env.host.close();
    await env.relay.close();
    await env.gateway.stop();
  }
  if (result.failed) {
    console.log(`gateway output:\n${env.gateway.output()}`);
    console.log(`browser tests: ${result.failed} of ${result.total} failed`);
    process.exit(1);
  }
  console.log(`browser tests: ${result.total} passed; screenshots in ${SHOTS}${updateDocs ? ' and docs/' : ''}`);
}

await main();
