// What the browser tests run on: the real gateway binary (`chatgw demo`),
// a static server for storefront pages on another origin, and Debian's
// Chromium driven by playwright-core. Anything missing fails the run with
// how to install it: these tests never skip.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../..');

/** Stops the run with a message that says what to do. */
export class Setup extends Error {}

export const CHROMIUM = process.env.CHATGW_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function loadPlaywright() {
  if (!existsSync(join(HERE, 'node_modules', 'playwright-core')) || !existsSync(join(HERE, 'node_modules', 'axe-core'))) {
    throw new Setup('testkit/browser/node_modules is missing: run `bash scripts/setup-browser.sh` (or `npm ci` in testkit/browser).');
  }
  if (!existsSync(CHROMIUM)) {
    throw new Setup(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/setup-browser.sh\` (or \`apt-get install -y chromium chromium-driver\`), or point CHATGW_CHROMIUM at a Chromium binary.`);
  }
  const { chromium } = await import('playwright-core');
  return chromium;
}

export async function launchBrowser() {
  const chromium = await loadPlaywright();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export const AXE_SOURCE = () => readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createNetServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

export function gatewayBinary() {
  const binary = process.env.CHATGW_BIN || join(REPO, 'target', 'debug', 'chatgw');
  if (!existsSync(binary)) throw new Setup(`the gateway binary is missing at ${binary}: run \`cargo build -p chatgw\` (or set CHATGW_BIN).`);
  return binary;
}

/**
 * `chatgw demo` on a free port, allowing `origins` to embed its widget,
 * with an agent token so the console opens. Resolves once /readyz answers.
 */
export async function startGateway({ origins = [] } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const agentToken = 'agt_' + randomBytes(12).toString('hex');
  const env = { ...process.env, CHATGW_DEMO_AGENT_TOKEN: agentToken, RUST_LOG: 'warn' };
  // The demo on SQLite in memory and in-process sessions: nothing shared
  // with other runs.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const args = ['demo', '--addr', `127.0.0.1:${port}`, ...origins.flatMap((o) => ['--allow-origin', o])];
  const child = spawn(gatewayBinary(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
  const deadline = Date.now() + 180_000;
  for (;;) {
    const code = await Promise.race([exited, new Promise((ok) => setTimeout(() => ok(undefined), 250))]);
    if (code !== undefined) throw new Setup(`chatgw demo exited with ${code} before answering:\n${output}`);
    try {
      const response = await fetch(base + '/readyz');
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Setup(`chatgw demo did not answer /readyz within 180 s:\n${output}`);
    }
  }
  return {
    base,
    agentToken,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A storefront origin on this machine: its port is chosen before the gateway starts, so the gateway can allow it. */
export async function hostOrigin() {
  const port = await freePort();
  return { port, origin: `http://127.0.0.1:${port}` };
}

/**
 * Serves testkit/browser/pages/*.html on `port` (another origin than the
 * gateway's) with the gateway's address, the store key and the page
 * language filled in: `/store.html?lang=es`; `?slow` loads the widget
 * through `relay`.
 */
export async function startHostPages(gateway, storeKey, port, relay) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://host');
    const name = /^\/([a-z-]+)\.html$/.exec(url.pathname);
    const file = name && join(HERE, 'pages', name[1] + '.html');
    if (!file || !existsSync(file)) {
      response.writeHead(404).end('no such page');
      return;
    }
    const html = readFileSync(file, 'utf8')
      .replaceAll('{{GATEWAY}}', relay && url.searchParams.has('slow') ? relay.base : gateway.base)
      .replaceAll('{{KEY}}', url.searchParams.get('key') || storeKey)
      .replaceAll('{{LANG}}', url.searchParams.get('lang') || 'en');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * A relay in front of the gateway that passes everything through but sends
 * a server-sent event stream one event at a time with a pause between, as a
 * slow network delivers it; on loopback a whole answer arrives in one read.
 */
export async function startSlowRelay(gateway, pauseMs = 150) {
  const port = await freePort();
  const target = new URL(gateway.base);
  const server = createServer((request, response) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      if (!String(answer.headers['content-type']).startsWith('text/event-stream')) return answer.pipe(response);
      let buffer = '';
      let sent = Promise.resolve();
      const later = (text) => { sent = sent.then(() => new Promise((ok) => setTimeout(() => { response.write(text); ok(); }, pauseMs))); };
      answer.setEncoding('utf8');
      answer.on('data', (chunk) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          later(buffer.slice(0, end + 2));
          buffer = buffer.slice(end + 2);
        }
      });
      answer.on('end', () => sent.then(() => response.end(buffer)));
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    base: `http://127.0.0.1:${port}`,
    /** Cuts every open connection, as a network drop does; new ones are welcome. */
    drop: () => server.closeAllConnections(),
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

/** Waits until `check` returns a truthy value (polling), or fails saying what it waited for. */
export async function until(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Sequential tests with one line each; the run fails if any fails. */
export function suite() {
  const tests = [];
  return {
    test(name, fn) { tests.push({ name, fn }); },
    async run(context) {
      let failed = 0;
      for (const { name, fn } of tests) {
        const started = Date.now();
        try {
          await fn(context);
          console.log(`  ok    ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        } catch (error) {
          failed++;
          console.log(`  FAIL  ${name}\n        ${String(error && error.stack || error).split('\n').join('\n        ')}`);
        }
      }
      return { total: tests.length, failed };
    },
  };
}
