// Reading and driving the widget inside its shadow root, and the agent
// console, from a Playwright page. Playwright's CSS locators pierce open
// shadow roots; computed styles are read with page.evaluate.

import { until } from './harness.mjs';

export const inWidget = (page, selector) => page.locator(`chatgw-widget ${selector}`);

/** Opens `url` and waits for the widget to have drawn itself. */
export async function load(page, url) {
  const problems = [];
  const log = (m) => m.type() !== 'log' && problems.push(`${m.type()}: ${m.text()}`);
  const crash = (e) => problems.push(`page error: ${e.message}`);
  page.on('console', log);
  page.on('pageerror', crash);
  try {
    await page.goto(url);
    await page.waitForSelector('chatgw-widget[data-ready="true"]', { state: 'attached', timeout: 20_000 });
  } catch (error) {
    throw new Error(`the widget did not start on ${url}: ${error.message.split('\n')[0]}\n${problems.join('\n')}`);
  } finally {
    page.off('console', log);
    page.off('pageerror', crash);
  }
}

export async function openPanel(page) {
  if (!(await inWidget(page, '.panel').isVisible())) await inWidget(page, '.launcher').click();
  await inWidget(page, '.panel').waitFor({ state: 'visible' });
}

/** The widget's state in one read: messages, alert, person bar. */
export function snapshot(page) {
  return page.evaluate(() => {
    const root = document.querySelector('chatgw-widget').shadowRoot;
    const all = (selector, from = root) => [...from.querySelectorAll(selector)];
    return {
      messages: all('.log > .msg').map((m) => ({
        role: ['user', 'assistant', 'agent'].find((r) => m.classList.contains(r)),
        who: m.querySelector('.who')?.textContent || '',
        text: m.querySelector('.bubble:not(.typing)')?.textContent || '',
        status: m.querySelector('.status')?.textContent || '',
        cards: all('.card', m).map((c) => ({ title: c.querySelector('.name')?.textContent, price: c.querySelector('.price')?.textContent, href: c.getAttribute('href') })),
        busy: m.getAttribute('aria-busy') === 'true',
      })),
      notices: all('.log > .notice').map((n) => n.textContent),
      alert: root.querySelector('.alert').hidden ? null : { kind: root.querySelector('.alert').className.replace('alert', '').trim(), text: root.querySelector('.alert .text').textContent, action: root.querySelector('.alert button').hidden ? null : root.querySelector('.alert button').textContent },
      person: { label: root.querySelector('.person').textContent, disabled: root.querySelector('.person').getAttribute('aria-disabled') === 'true', state: root.querySelector('.person-bar .state').textContent },
      sendDisabled: root.querySelector('.send').disabled,
      placeholder: root.querySelector('textarea').placeholder,
      lang: root.querySelector('.root').lang,
    };
  });
}

export const idle = (page) => until('the widget to finish its turn', async () => {
  const state = await snapshot(page);
  return !state.messages.some((m) => m.busy) && state;
});

/** Types a message and sends it with Enter; resolves when the turn is over. */
export async function ask(page, text) {
  const input = inWidget(page, 'textarea');
  await input.fill(text);
  await input.press('Enter');
  await until(`"${text}" to appear`, async () => (await snapshot(page)).messages.some((m) => m.role === 'user' && m.text === text));
  return idle(page);
}

export const lastOf = (state, role) => state.messages.filter((m) => m.role === role).at(-1);

/** Records every text the answer being written shows, to see it grow, and whether the typing dots showed first. */
export function recordAnswerText(page) {
  return page.evaluate(() => {
    const root = document.querySelector('chatgw-widget').shadowRoot;
    window.__answerTexts = [];
    window.__sawTyping = false;
    new MutationObserver(() => {
      if (root.querySelector('.msg.assistant[aria-busy="true"] .typing')) window.__sawTyping = true;
      const bubble = root.querySelector('.msg.assistant[aria-busy="true"] .bubble:not(.typing)');
      const text = bubble ? bubble.textContent : '';
      if (text && window.__answerTexts.at(-1) !== text) window.__answerTexts.push(text);
    }).observe(root.querySelector('.log'), { subtree: true, childList: true, characterData: true });
  });
}

/** Runs axe-core on `selector` (shadow roots included); the serious and critical violations. */
export async function axeViolations(page, axeSource, selector) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async (only) => window.axe.run(only ? { include: [[only]] } : document, { resultTypes: ['violations'] }), selector || null);
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' > ')).slice(0, 3).join('; ')})`);
}

/** Signs in to the console at `base` and opens the newest ticket of the queue. */
export async function consoleSignIn(page, base, token, agent) {
  await page.goto(base + '/agent');
  await page.fill('#token', token);
  await page.fill('#agent', agent);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#workspace:not([hidden])');
  await until('the console to be live', async () => (await page.textContent('#live')) === 'Live');
}
