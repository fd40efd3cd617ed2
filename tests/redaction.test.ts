// The payload redactor: measured against the corpus (recall and false-positive rate), then the
// contract of redact() one property at a time.
import { describe, expect, it } from 'vitest';
import { builtInDetectors } from '../src/domain/redaction/detectors.js';
import { createRedactor, MAX_DEPTH } from '../src/domain/redaction/index.js';
import { createKeyClassifier } from '../src/domain/redaction/keys.js';
import { quantifierProblem } from '../src/domain/redaction/safe-pattern.js';
import { negatives, positives, type CorpusEntry } from './redaction-corpus.js';

const KINDS = ['email', 'phone', 'ssn', 'card', 'iban', 'jwt', 'bearer', 'basic', 'api_key', 'private_key', 'password', 'secret'];
const SECRET = '[REDACTED:secret]';

describe('redaction corpus', () => {
  const redactor = createRedactor();
  const out = (entry: CorpusEntry) => redactor.redactString(entry.text).value;

  it('has at least 8 positives per kind and 150 look-alikes', () => {
    for (const kind of KINDS) expect(positives.filter((p) => p.kind === kind).length, kind).toBeGreaterThanOrEqual(8);
    expect(negatives.length).toBeGreaterThanOrEqual(150);
    for (const p of positives) expect(p.text, `${p.kind} entry`).toContain(p.secret);
  });

  it('redacts at least 99% of positives and changes at most 1% of look-alikes', () => {
    const missed = positives.filter((p) => {
      const value = out(p);
      return value.includes(p.secret ?? '') || !value.includes('[REDACTED:');
    });
    const misnamed = positives.filter((p) => !out(p).includes(`[REDACTED:${p.kind}]`));
    const changed = negatives.filter((n) => out(n) !== n.text);
    const recall = 1 - missed.length / positives.length;
    const falsePositiveRate = changed.length / negatives.length;
    const kindAccuracy = 1 - misnamed.length / positives.length;
    console.log(
      `redaction corpus: recall ${recall.toFixed(4)} over ${positives.length} positives; ` +
        `false-positive rate ${falsePositiveRate.toFixed(4)} over ${negatives.length} look-alikes; ` +
        `kind accuracy ${kindAccuracy.toFixed(4)}`,
    );
    for (const p of missed) console.log(`  missed ${p.kind}: ${JSON.stringify(p.text)} -> ${JSON.stringify(out(p))}`);
    for (const p of misnamed) console.log(`  misnamed ${p.kind}: ${JSON.stringify(out(p))}`);
    for (const n of changed) console.log(`  changed: ${JSON.stringify(n.text)} -> ${JSON.stringify(out(n))}`);
    expect(recall).toBeGreaterThanOrEqual(0.99);
    expect(falsePositiveRate).toBeLessThanOrEqual(0.01);
    expect(kindAccuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('gives the same answers through redact() on a payload', () => {
    const texts = [...positives, ...negatives].map((e) => e.text);
    const { value } = createRedactor({ maxBytes: 10_000_000 }).redact({ content: texts.map((text) => ({ type: 'text', text })) });
    expect(value).toEqual({ content: texts.map((text) => ({ type: 'text', text: redactor.redactString(text).value })) });
  });
});

describe('redact by key name', () => {
  const { redact } = createRedactor();

  it('keeps every value of an env or headers map out, under any name, and keeps the names', () => {
    const registered = { name: 'svc', transport: { type: 'stdio', command: 'node', env: { FOO: 'plain-credential', EMPTY: '' }, headers: { 'X-Tenant': 'acme-secret' } } };
    const { value, redactions } = redact(registered);
    expect(value).toEqual({ name: 'svc', transport: { type: 'stdio', command: 'node', env: { FOO: '[REDACTED:secret]', EMPTY: '' }, headers: { 'X-Tenant': '[REDACTED:secret]' } } });
    expect(redactions).toBe(2);
    // Not a string map: visited like any other object.
    expect(redact({ env: { nested: { name: 'x' } } }).value).toEqual({ env: { nested: { name: 'x' } } });
  });

  it('replaces the whole value at any depth, whatever the case, separators or type', () => {
    const secrets = {
      Password: 'hunter2',
      DB_PASSWORD: 42,
      'x-api-key': ['a', 'b'],
      'X-API-KEY': { nested: 'value' },
      'client.secret': true,
      'Client Secret': 'cs',
      githubToken: 'gt',
      access_token: 'at',
      refreshToken: 'rt',
      'Set-Cookie': ['sid=1'],
      cookie: 'a=b',
      Authorization: 'Bearer abc',
      creditCardNumber: '4111',
      card_number: 1,
      CVV: 123,
      cvc: '123',
      ssn: '123',
      pin: '0000',
      private_key: 'pk',
      privateKeyPem: 'pem',
      sessionId: 's',
      session: { user: 'u' },
      passwordHash: '$2b$',
      api_key_id: 'k',
      aws_secret_access_key: 'k',
      passphrase: 'p',
      credentials: { user: 'u', pass: 'p' },
    };
    let payload: Record<string, unknown> = { ...secrets };
    for (let depth = 0; depth < 12; depth++) payload = { level: depth, items: [payload] };
    const result = redact(payload);
    let inner = result.value as Record<string, unknown>;
    for (let depth = 0; depth < 12; depth++) inner = (inner.items as Record<string, unknown>[])[0]!;
    expect(inner).toEqual(Object.fromEntries(Object.keys(secrets).map((k) => [k, SECRET])));
    expect(result.redactions).toBe(Object.keys(secrets).length);
  });

  it('keeps LLM usage fields and names that only describe a secret', () => {
    const payload = {
      max_tokens: 1024,
      maxTokens: 2048,
      max_completion_tokens: 512,
      usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30, cache_creation_input_tokens: 4, cache_read_input_tokens: 5 },
      prompt_tokens: 7,
      completion_tokens: 8,
      tokenCount: 3,
      token_count: 3,
      tokens: ['Hel', 'lo'],
      tokensPerMinute: 90_000,
      tokenizer: 'cl100k_base',
      token_type: 'Bearer',
      tokenUsage: { prompt: 1 },
      nextPageToken: 'CiAKGjBp',
      page_token: 'abc',
      secretName: 'db-credentials',
      secretRef: 'vault://x',
      passwordPolicy: { minLength: 12 },
      privateKeyPath: '/etc/key.pem',
      publicKey: 'ssh-ed25519 AAAA',
      sessionTimeout: 30,
      key: 'user.name',
      pwd: '/home/app',
    };
    expect(redact(payload)).toEqual({ value: payload, redactions: 0, truncated: false });
  });

  it('leaves null, undefined and empty values under sensitive names alone', () => {
    expect(redact({ password: null, token: '', secret: undefined })).toEqual({
      value: { password: null, token: '' },
      redactions: 0,
      truncated: false,
    });
  });

  it('redacts the value of a name/value pair that names a secret', () => {
    const env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'LOG_LEVEL', value: 'debug' },
      { key: 'Authorization', value: 'opaque' },
    ];
    expect(redact({ env }).value).toEqual({
      env: [
        { name: 'DB_PASSWORD', value: SECRET },
        { name: 'LOG_LEVEL', value: 'debug' },
        { key: 'Authorization', value: SECRET },
      ],
    });
  });

  it('classifies names with the documented rule', () => {
    const sensitive = createKeyClassifier();
    for (const key of ['dbPassword', 'x-api-key', 'githubToken', 'client_secret', 'CLIENT-SECRET', 'id_token', 'password2', 'mcp-session-id']) {
      expect(sensitive(key), key).toBe(true);
    }
    for (const key of ['max_tokens', 'tokenCount', 'input_tokens', 'tokens', 'secretName', 'tokenType', 'description', 'maxToken', 'pageToken', 'pwd']) {
      expect(sensitive(key), key).toBe(false);
    }
  });
});

describe('redact', () => {
  const { redact } = createRedactor();

  it('never mutates its input', () => {
    const input = {
      user: { email: 'alice@example.com', password: 'hunter2' },
      list: ['card 4111 1111 1111 1111', { token: 't' }],
      when: new Date('2024-05-06T10:20:30Z'),
    };
    const before = structuredClone(input);
    deepFreeze(input);
    const { value } = redact(input);
    expect(input).toEqual(before);
    expect(value).toEqual({
      user: { email: '[REDACTED:email]', password: SECRET },
      list: ['card [REDACTED:card]', { token: SECRET }],
      when: '2024-05-06T10:20:30.000Z',
    });
  });

  it('survives cycles and keeps shared, non-cyclic references', () => {
    const shared = { note: 'call +44 20 7946 0958' };
    const a: Record<string, unknown> = { name: 'a', shared, again: shared };
    a.self = a;
    const list: unknown[] = [1];
    list.push(list);
    a.list = list;
    const { value, redactions } = redact(a);
    expect(value).toEqual({
      name: 'a',
      shared: { note: 'call [REDACTED:phone]' },
      again: { note: 'call [REDACTED:phone]' },
      self: '[CIRCULAR]',
      list: [1, '[CIRCULAR]'],
    });
    expect(redactions).toBe(2);
    expect(() => JSON.stringify(value)).not.toThrow();
  });

  it(`stops below depth ${MAX_DEPTH}`, () => {
    let deep: unknown = { bottom: 'alice@example.com' };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const { value, truncated } = redact(deep);
    expect(truncated).toBe(true);
    expect(JSON.stringify(value)).toContain(`[TRUNCATED: depth > ${MAX_DEPTH}]`);
    expect(JSON.stringify(value)).not.toContain('alice@example.com');
  });

  it('counts every redaction, by key and by value', () => {
    const { redactions } = redact({
      apiKey: 'k',
      nested: { client_secret: 's' },
      text: 'mail bob@example.com or +1-415-555-0100, SSN 123-45-6789',
    });
    expect(redactions).toBe(5);
    expect(redact({ plain: 'nothing to see' }).redactions).toBe(0);
  });

  it('renders values the way JSON would, minus the secrets', () => {
    const error = new Error('login failed for alice@example.com');
    const payload = { error, big: 10n ** 20n, fn: () => 1, missing: undefined, amount: 4111111111111111, count: 42 };
    expect(redact(payload).value).toEqual({
      error: { name: 'Error', message: 'login failed for [REDACTED:email]' },
      big: '100000000000000000000',
      amount: '[REDACTED:card]',
      count: 42,
    });
    const proto = JSON.parse('{"__proto__": {"password": "x"}}') as object;
    const value = redact(proto).value as object;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"password":"[REDACTED:secret]"}}');
  });

  it('redacts object keys that are personal data', () => {
    const { value, redactions } = redact({ 'alice@example.com': 1, 'bob@example.com': 2 });
    expect(value).toEqual({ '[REDACTED:email]': 1, '[REDACTED:email]#2': 2 });
    expect(redactions).toBe(2);
  });
});

describe('truncation', () => {
  it('cuts the JSON rendering past maxBytes and says how much was left out', () => {
    const { redact } = createRedactor({ maxBytes: 1024 });
    const payload = { rows: Array.from({ length: 200 }, (_, i) => ({ i, email: `user${i}@example.com`, note: 'ünïcödé 🚀 text' })) };
    const full = JSON.stringify(createRedactor({ maxBytes: 10_000_000 }).redact(payload).value);
    const result = redact(payload);
    expect(result.truncated).toBe(true);
    expect(result.redactions).toBe(200);
    expect(typeof result.value).toBe('string');
    const text = result.value as string;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    const match = /^([\s\S]*)…\[TRUNCATED: (\d+) bytes\]$/.exec(text);
    expect(match).not.toBeNull();
    const [, head, omitted] = match!;
    expect(full.startsWith(head!)).toBe(true);
    expect(Buffer.byteLength(head!) + Number(omitted)).toBe(Buffer.byteLength(full));
    expect(text).not.toContain('\ufffd');
    expect(text).not.toContain('@example.com');
  });

  it('leaves payloads within the limit as they are', () => {
    const { redact } = createRedactor({ maxBytes: 1024 });
    expect(redact({ a: 'x'.repeat(900) })).toEqual({ value: { a: 'x'.repeat(900) }, redactions: 0, truncated: false });
  });

  it('defaults to 64 KiB', () => {
    const { redact } = createRedactor();
    expect(redact('x'.repeat(65_000)).truncated).toBe(false);
    const result = redact('x'.repeat(70_000));
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.value as string)).toBeLessThanOrEqual(64 * 1024);
  });

  it('refuses a maxBytes too small to hold the marker', () => {
    expect(() => createRedactor({ maxBytes: 10 })).toThrow(/maxBytes must be an integer of at least 64/);
  });
});

describe('options', () => {
  it('adds extra key names, matched like the built-in ones', () => {
    const { redact } = createRedactor({ extraKeys: ['employeeId', 'x-tenant-secret-ish'] });
    expect(redact({ employee_id: 7, 'Employee-ID': 8, managerEmployeeId: 9, employees: 3, x_tenant_secret_ish: 'v' }).value).toEqual({
      employee_id: SECRET,
      'Employee-ID': SECRET,
      managerEmployeeId: SECRET,
      employees: 3,
      x_tenant_secret_ish: SECRET,
    });
  });

  it('adds extra value patterns with their own kind', () => {
    const redactor = createRedactor({ extraPatterns: [{ kind: 'employee_id', pattern: 'EMP-\\d{6}' }] });
    expect(redactor.redactString('assigned to EMP-004211 and EMP-123456 (not EMP-12)')).toEqual({
      value: 'assigned to [REDACTED:employee_id] and [REDACTED:employee_id] (not EMP-12)',
      redactions: 2,
    });
    const short = createRedactor({ extraPatterns: [{ kind: 'desk', pattern: 'D\\d{2}' }] });
    expect(short.redactString('D12').value).toBe('[REDACTED:desk]');
  });

  it.each([
    ['(a+)+', /Redaction pattern '\(a\+\)\+' \(kind 'x'\) is rejected: it nests quantifiers/],
    ['(\\d{1,4}){1,8}', /nests quantifiers/],
    ['(a|ab){2,5}', /repeats a group with alternatives/],
    ['EMP-\\d+', /'EMP-\\d\+'.*repeats without a bound \('\+'/],
    ['x.*y', /repeats without a bound/],
    ['a{1,5000}', /above 1024/],
    ['(unclosed', /not a valid regular expression/],
    ['a{0,3}', /matches the empty string/],
    ['a'.repeat(201), /longer than 200 characters/],
  ])('rejects the extra pattern %s with a clear message', (pattern, message) => {
    expect(() => createRedactor({ extraPatterns: [{ kind: 'x', pattern }] })).toThrow(message);
  });

  it('rejects a kind that would not read well in the marker', () => {
    expect(() => createRedactor({ extraPatterns: [{ kind: 'Bad Kind]', pattern: 'x' }] })).toThrow(/kind must be/);
    expect(() => createRedactor({ extraKeys: ['--'] })).toThrow(/extra key '--' is empty/);
  });
});

describe('cost', () => {
  it('keeps every built-in regex free of nested and unbounded quantifiers', () => {
    for (const detector of builtInDetectors(() => false)) {
      expect(quantifierProblem(detector.pattern.source), detector.kind).toBeUndefined();
    }
  });

  it('processes 1 MB strings, ordinary and adversarial', () => {
    const { redactString, redact } = createRedactor();
    const line = 'GET /api/v1/orders/ORD-2024-000123 200 12ms user=alice@example.com ip=192.168.1.1 ts=1715000000\n';
    const log = line.repeat(Math.ceil(1_000_000 / line.length));
    const result = redactString(log);
    expect(result.redactions).toBe(log.length / line.length);
    const adversarial = [
      'a'.repeat(1_000_000),
      '1'.repeat(1_000_000),
      '1 '.repeat(500_000),
      '+1 '.repeat(333_334),
      'a@'.repeat(500_000),
      'a.'.repeat(500_000),
      'password='.repeat(111_112),
      'eyJ'.repeat(333_334),
      `-----BEGIN PRIVATE KEY-----${'A'.repeat(1_000_000)}`,
      'DE89 '.repeat(200_000),
      'Bearer '.repeat(142_858),
    ];
    for (const s of adversarial) expect(typeof redactString(s).value).toBe('string');
    expect(redact({ log }).truncated).toBe(true);
  });
});

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
