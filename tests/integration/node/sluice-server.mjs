// A real `sluice serve` for the Node client tests: a seeded data directory in a temporary
// folder, the CLI run against it, the server started on 127.0.0.1 (plain HTTP or TLS with a
// throwaway self-signed certificate) and stopped with SIGTERM, which must exit 0.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const BINARY = process.env.SLUICE_BINARY && path.resolve(process.env.SLUICE_BINARY);
const CLI_TIMEOUT_MS = 60_000;
const LISTEN_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 15_000;

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SluiceServer {
  // A new temporary folder holding the data directory `data/`.
  constructor(prefix) {
    assert.ok(BINARY, 'set SLUICE_BINARY to the sluice binary, e.g. SLUICE_BINARY=build/src/sluice');
    assert.ok(fs.existsSync(BINARY), `SLUICE_BINARY ${BINARY} does not exist`);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.data = path.join(this.dir, 'data');
    this.stderrTail = [];
  }

  // Runs `sluice ARGS...` in the folder, `input` on its standard input; returns its standard output.
  run(args, input = '') {
    try {
      return execFileSync(BINARY, args, { cwd: this.dir, encoding: 'utf8', timeout: CLI_TIMEOUT_MS, stdio: 'pipe', input });
    } catch (e) {
      throw new Error(`sluice ${args.join(' ')} failed: ${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
    }
  }

  seed(args) {
    this.run(['seed', '--data', this.data, ...args]);
  }

  // `sluice apps create`: the app's JSON (bearer_token, id, ...).
  createApp(name, plan, extra = []) {
    const app = JSON.parse(this.run(['apps', 'create', '--data', this.data, '--name', name, '--plan', plan, ...extra]));
    assert.equal(typeof app.bearer_token, 'string');
    return app;
  }

  // A throwaway certificate for 127.0.0.1; returns its path.
  makeCertificate() {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', 'key.pem', '-out', 'cert.pem'],
      { cwd: this.dir, timeout: CLI_TIMEOUT_MS, stdio: 'pipe' },
    );
    this.cert = path.join(this.dir, 'cert.pem');
    return this.cert;
  }

  // Starts `sluice serve` on a free loopback port (TLS when makeCertificate ran); resolves to
  // its origin ("https://127.0.0.1:PORT").
  // `extra`: more arguments; app bearer tokens may write (--app-tokens-write) unless
  // `appTokensWrite` is false.
  start({ extra = [], appTokensWrite = true } = {}) {
    const args = ['serve', '--data', this.data, '--listen', '127.0.0.1:0', ...extra];
    if (appTokensWrite) args.push('--app-tokens-write');
    if (this.cert) args.push('--tls-cert', this.cert, '--tls-key', path.join(this.dir, 'key.pem'));
    const child = spawn(BINARY, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    // stderr carries the JSON access log: always drain it, keep the last lines for failure messages.
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 50) this.stderrTail.shift();
    });
    const listening = new Promise((resolve, reject) => {
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /^sluice listening on (https?:\/\/127\.0\.0\.1:\d+)$/.exec(line.trim());
        if (m) resolve(m[1]);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        reject(new Error(`sluice serve exited early (code ${code}, signal ${signal}): ${this.stderrTail.join('\n')}`)),
      );
    });
    return withTimeout(listening, LISTEN_TIMEOUT_MS, 'sluice serve to print its listening line').then((origin) => {
      this.origin = origin;
      return origin;
    });
  }

  // SIGTERM; the server must exit 0. The folder is removed whatever happens.
  async stop() {
    try {
      const child = this.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let exit;
        try {
          exit = await withTimeout(this.exit, EXIT_TIMEOUT_MS, 'sluice to exit after SIGTERM');
        } catch (e) {
          child.kill('SIGKILL');
          throw e;
        }
        assert.deepEqual(exit, { code: 0, signal: null }, `sluice exit after SIGTERM; stderr tail:\n${this.stderrTail.join('\n')}`);
      }
    } finally {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

// When SLUICE_RESPONSE_LOG names a directory, appends every response fetched through
// `fetchImpl` to responses-node-<pid>.jsonl there, in the shape tests/integration/harness.cc
// writes, so openapi.test.mjs validates what the Node clients received too.
export function recordingFetch(fetchImpl) {
  const dir = process.env.SLUICE_RESPONSE_LOG;
  if (!dir) return fetchImpl;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `responses-node-${process.pid}.jsonl`);
  return async (input, init = {}) => {
    const res = await fetchImpl(input, init);
    const body = await res.clone().text();
    const url = new URL(typeof input === 'string' ? input : input.url);
    const line = {
      method: init.method ?? 'GET',
      target: url.pathname + url.search,
      status: res.status,
      content_type: res.headers.get('content-type') ?? '',
      body,
    };
    fs.appendFileSync(file, JSON.stringify(line) + '\n');
    return res;
  };
}
