// The redaction corpus: true positives for every detector in realistic surroundings, and harmless
// look-alikes that must come through untouched. Entries with a `kind` must lose `secret` and gain
// `[REDACTED:<kind>]`; entries without one must not change at all.
//
// Credentials are assembled at load time from a prefix and a seeded pseudo-random body, so that
// secret scanners (and push protection) do not mistake this file for a leak.
import { createHmac } from 'node:crypto';

export interface CorpusEntry {
  text: string;
  /** Present: the entry must be redacted with this kind. Absent: it must survive intact. */
  kind?: string;
  /** For positives, the substring that must no longer appear. */
  secret?: string;
}

let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64URL = `${ALNUM}-_`;
const B64 = `${ALNUM}+/`;
const HEX = '0123456789abcdef';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DIGITS = '0123456789';
function rand(length: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

const hit = (kind: string, secret: string, template: string): CorpusEntry => ({
  kind,
  secret,
  text: template.replace('{}', () => secret),
});

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(header: Record<string, unknown>, payload: Record<string, unknown>, signatureBytes = 32): string {
  const body = `${b64url(header)}.${b64url(payload)}`;
  if (header.alg === 'none') return `${body}.`;
  const mac = createHmac('sha256', 'corpus').update(body).digest();
  const signature = Buffer.concat(Array.from({ length: Math.ceil(signatureBytes / 32) }, () => mac)).subarray(0, signatureBytes);
  return `${body}.${signature.toString('base64url')}`;
}

function pem(label: string, lines = 6, eol = '\n'): { block: string; body: string } {
  const body = Array.from({ length: lines }, () => rand(64, B64)).join(eol);
  const dashes = '-----';
  return { body, block: `${dashes}BEGIN ${label}${dashes}${eol}${body}${eol}${dashes}END ${label}${dashes}` };
}

const basic = (credentials: string): string => Buffer.from(credentials).toString('base64');

// ---------------------------------------------------------------------------------------------
// Positives

const emails: CorpusEntry[] = [
  hit('email', 'alice.smith@example.com', 'Please contact {} for access.'),
  hit('email', 'bob+newsletters@mail.example.org', '{"to": "{}", "subject": "Welcome"}'),
  hit('email', 'j.doe@sub.domain.co.uk', 'From: John Doe <{}>'),
  hit('email', 'MARIA_GARCIA@EXAMPLE.ES', 'Reply-To: {}'),
  hit('email', 'ops-team@company.io', 'Escalate to {}, then page on-call.'),
  hit('email', 'first.last@university.edu', 'mailto:{}?subject=Question'),
  hit('email', 'user123@gmail.com', 'User {} signed up at 10:20.'),
  hit('email', 'support@shop-online.com', '[{"name":"Support","email":"{}"}]'),
  hit('email', 'x@y.ai', 'short address {} also counts'),
  hit('email', 'nina.o%27brien@example.net', 'encoded: {}.'),
  hit('email', 'dev.lead@startup.technology', 'cc: {}; bcc: none'),
  hit('email', 'billing@example.com', 'Invoice sent to {} on 2024-05-06'),
];

const phones: CorpusEntry[] = [
  hit('phone', '+44 20 7946 0958', 'Call our London office on {}.'),
  hit('phone', '+1-415-555-0100', '{"phone": "{}"}'),
  hit('phone', '(415) 555-0100', 'Cell: {} (evenings)'),
  hit('phone', '415-555-0100', 'Reach me at {} tomorrow'),
  hit('phone', '020 7946 0958', 'Tel. {}'),
  hit('phone', '+33 1 23 45 67 89', 'Bureau Paris : {}'),
  hit('phone', '+49 30 901820', 'Berlin: {}'),
  hit('phone', '+81 3-1234-5678', 'Tokyo office {}'),
  hit('phone', '+91 98765 43210', 'WhatsApp {} anytime'),
  hit('phone', '+61 2 9876 5432', 'Sydney desk: {}.'),
  hit('phone', '+14155550100', 'tel:{}'),
  hit('phone', '+1 (212) 555-0199', 'NYC: {}'),
  hit('phone', '212.555.0147', 'fax {}'),
  hit('phone', '1-800-555-0199', 'Toll free {} (24/7)'),
  hit('phone', '07700 900123', 'Mobile: {}'),
  hit('phone', '0161 496 0000', 'Manchester branch on {}'),
  hit('phone', '(02) 9876 5432', 'Ph {}'),
  hit('phone', '+353 1 234 5678', 'Dublin {}'),
  hit('phone', '06 12 34 56 78', 'Portable : {}'),
  hit('phone', '+55 11 91234-5678', 'São Paulo {}'),
  hit('phone', '+44 20 7946 0958', 'Call {} - 2024 rates apply'),
  hit('phone', '+442079460958', 'E.164 {}'),
  hit('phone', '+44 (0)20 7946 0958', 'UK format {}'),
  hit('phone', '0800 123 4567', 'Freephone {}'),
  hit('phone', '(415)555-0100', 'SMS to {}'),
  hit('phone', '+1 415 555 0100', 'phone: {}'),
];

const ssns: CorpusEntry[] = [
  hit('ssn', '123-45-6789', 'SSN: {}'),
  hit('ssn', '078-05-1120', 'The card read {} in the wallet.'),
  hit('ssn', '219-09-9999', '{"applicant":{"ssn":"{}"}}'),
  hit('ssn', '457-55-5462', 'social security number {} on file'),
  hit('ssn', '536-90-4399', 'Taxpayer ID {}, filed 2023'),
  hit('ssn', '001-01-0001', 'lowest valid: {}'),
  hit('ssn', '899-99-9999', 'highest valid: {}'),
  hit('ssn', '665-12-3456', 'edge below 666: {}.'),
  hit('ssn', '372-84-1190', 'employee ssn={} verified'),
  hit('ssn', '245-67-8901', '| Jane | {} | Active |'),
];

const cards: CorpusEntry[] = [
  hit('card', '4111 1111 1111 1111', 'Card number: {} exp 12/26'),
  hit('card', '4242424242424242', '{"source": {"number": "{}", "cvc": "•••"}}'),
  hit('card', '5555-5555-5555-4444', 'Charged {} for $12.00'),
  hit('card', '378282246310005', 'Amex {} on file'),
  hit('card', '3782 822463 10005', 'Amex grouped {}.'),
  hit('card', '6011 1111 1111 1117', 'Discover: {}'),
  hit('card', '3530111333300000', 'JCB {}'),
  hit('card', '30569309025904', 'Diners {}'),
  hit('card', '4222222222222', 'old 13-digit visa {}'),
  hit('card', '2223 0031 2200 3222', 'MC 2-series {}'),
  hit('card', '6200000000000005', 'UnionPay {}'),
  hit('card', '4917610000000000003', '19-digit {}'),
  hit('card', '5105 1051 0510 5100', 'pan={}&amount=10'),
  hit('card', '4000 0566 5566 5556', 'Card {} 123'),
  hit('card', '3566002020360505', 'payment failed for card {}: insufficient funds'),
];

const ibans: CorpusEntry[] = [
  hit('iban', 'DE89 3704 0044 0532 0130 00', 'IBAN: {} EUR'),
  hit('iban', 'GB82WEST12345698765432', 'Pay to {} by Friday'),
  hit('iban', 'FR14 2004 1010 0505 0001 3M02 606', 'Coordonnées bancaires : {}'),
  hit('iban', 'NL91ABNA0417164300', '{"iban":"{}","bic":"ABNANL2A"}'),
  hit('iban', 'ES91 2100 0418 4502 0005 1332', 'Transferencia a {}.'),
  hit('iban', 'IT60X0542811101000000123456', 'Bonifico su {}'),
  hit('iban', 'BE68 5390 0754 7034', 'Rekening {}'),
  hit('iban', 'CH93 0076 2011 6238 5295 7', 'Konto {} BIC: UBSWCHZH80A'),
  hit('iban', 'NO9386011117947', 'Kontonummer {}'),
  hit('iban', 'PL61 1090 1014 0000 0712 1981 2874', 'Przelew {}'),
  hit('iban', 'MT84MALT011000012345MTLCAST001S', 'Malta {}'),
  hit('iban', 'IE29 AIBK 9311 5212 3456 78', 'account: {}'),
];

const jwts: CorpusEntry[] = [
  hit('jwt', jwt({ alg: 'HS256', typ: 'JWT' }, { sub: '1234567890', name: 'John Doe', iat: 1516239022 }), 'Authorization: Bearer {}'),
  hit('jwt', jwt({ alg: 'RS256', kid: 'k1' }, { iss: 'https://auth.example.com', aud: 'api', exp: 1715000000 }, 256), '{"access_token":"{}","token_type":"Bearer"}'),
  hit('jwt', jwt({ alg: 'ES256', typ: 'JWT' }, { email: 'a@b.co', scope: 'read write' }, 64), 'id_token={}'),
  hit('jwt', jwt({ alg: 'none' }, { sub: 'anonymous' }), 'unsigned: {} (alg none)'),
  hit('jwt', jwt({ typ: 'JWT', alg: 'HS512' }, { role: 'admin', tenant: 't-42' }, 64), 'Here is the token: {}'),
  hit('jwt', jwt({ alg: 'PS256' }, { nonce: 'abc', iat: 1 }, 256), 'https://app.example.com/callback?jwt={}&state=xyz'),
  hit('jwt', jwt({ alg: 'EdDSA', kid: 'ed-2024' }, { sub: 'svc-billing' }, 64), 'Set-Token {} expired'),
  hit('jwt', jwt({ alg: 'HS256' }, { data: 'x'.repeat(300) }), 'long payload {}.'),
  hit('jwt', jwt({ alg: 'RS384', typ: 'at+jwt' }, { client_id: 'cli' }, 384), '[{"jwt": "{}"}]'),
];

const keys: CorpusEntry[] = [
  hit('api_key', `sk-${rand(48)}`, 'export OPENAI_API_KEY={}'),
  hit('api_key', `sk-${'proj-'}${rand(156, B64URL)}`, 'client = OpenAI(api_key="{}")'),
  hit('api_key', `sk-${'ant-api03-'}${rand(93, B64URL)}AA`, 'ANTHROPIC_API_KEY={}'),
  hit('api_key', `gh${'p_'}${rand(36)}`, 'git push with token {} failed'),
  hit('api_key', `gh${'o_'}${rand(36)}`, '{"token":"{}","scope":"repo"}'),
  hit('api_key', `gh${'u_'}${rand(36)}`, 'user-to-server {}'),
  hit('api_key', `gh${'s_'}${rand(36)}`, 'GITHUB_TOKEN: {}'),
  hit('api_key', `gh${'r_'}${rand(36)}`, 'refresh with {}.'),
  hit('api_key', `github_${'pat_'}${rand(22)}_${rand(59)}`, 'Authorization: Bearer {}'),
  hit('api_key', `xox${'b-'}${rand(12, DIGITS)}-${rand(13, DIGITS)}-${rand(24)}`, 'SLACK_BOT_TOKEN={}'),
  hit('api_key', `xox${'p-'}${rand(12, DIGITS)}-${rand(12, DIGITS)}-${rand(13, DIGITS)}-${rand(32, HEX)}`, 'slack user token {}'),
  hit('api_key', `xox${'a-'}2-${rand(40)}`, 'app token {} rotated'),
  hit('api_key', `xox${'r-'}${rand(48)}`, '"refresh": "{}"'),
  hit('api_key', `AKI${'A'}${rand(16, UPPER)}`, 'aws_access_key_id = {}'),
  hit('api_key', `ASI${'A'}${rand(16, UPPER)}`, 'temporary credentials {} expire in 1h'),
  hit('api_key', `sk_${'live_'}${rand(99)}`, 'stripe.api_key = "{}"'),
  hit('api_key', `rk_${'live_'}${rand(24)}`, 'restricted key {}'),
  hit('api_key', `sk_${'test_'}${rand(24)}`, 'STRIPE_SECRET={}'),
  hit('api_key', `AIz${'a'}${rand(35, B64URL)}`, 'https://maps.googleapis.com/maps/api/geocode/json?address=x&key={}'),
  hit('api_key', `glpa${'t-'}${rand(20, B64URL)}`, 'GITLAB_TOKEN {}'),
  hit('api_key', `np${'m_'}${rand(36)}`, '//registry.npmjs.org/:_authToken={}'),
  hit('api_key', `S${'G.'}${rand(22, B64URL)}.${rand(43, B64URL)}`, 'sendgrid key {}'),
  hit('api_key', `h${'f_'}${rand(34)}`, 'HF_TOKEN={}'),
  hit('api_key', `S${'K'}${rand(32, HEX)}`, 'twilio api key sid {}'),
  hit('api_key', `key${'-'}${rand(32, HEX)}`, 'mailgun: {}'),
  hit('api_key', `shpa${'t_'}${rand(32, HEX)}`, 'X-Shopify-Access-Token: {}'),
  hit('api_key', `do${'p_v1_'}${rand(64, HEX)}`, 'doctl auth init -t {}'),
  hit('api_key', `gs${'k_'}${rand(52)}`, 'GROQ_API_KEY="{}"'),
  hit('api_key', `ya2${'9.'}${rand(120, B64URL)}`, 'google oauth {} (expires 3599s)'),
  hit('api_key', `GOCSP${'X-'}${rand(28, B64URL)}`, 'oauth client secret {}'),
  hit('api_key', `PMA${'K-'}${rand(24, HEX)}-${rand(34, HEX)}`, 'postman {}'),
  hit('api_key', `lin_${'api_'}${rand(40)}`, 'linear {}'),
  hit('api_key', `whse${'c_'}${rand(32)}`, 'webhook signing secret: {}'),
  hit('api_key', `hooks.slack.com/services/T${rand(10, UPPER)}/B${rand(10, UPPER)}/${rand(24)}`, 'POST https://{} with the alert'),
];

const bearers: CorpusEntry[] = [
  hit('bearer', rand(32), 'Authorization: Bearer {}'),
  hit('bearer', rand(40, HEX), 'curl -H "Authorization: bearer {}" https://api.example.com/v1/items'),
  hit('bearer', '2YotnFZFEjr1zCsicMWpAA', 'HTTP/1.1 200 OK\r\nauthorization: Bearer {}\r\n'),
  hit('bearer', `${rand(20, B64)}==`, '{"headers":{"Authorization":"Bearer {}"}}'),
  hit('bearer', `${rand(8)}.${rand(24)}`, 'sent BEARER {} upstream'),
  hit('bearer', rand(64, B64URL), "fetch(url, { headers: { Authorization: 'Bearer {}' } })"),
  hit('bearer', `tok_${rand(24)}`, 'Bearer {}'),
  hit('bearer', rand(16, HEX), 'proxy-authorization: Bearer {}; retry=1'),
  hit('bearer', `v2.local.${rand(60, B64URL)}`, 'Bearer  {}'),
];

const basics: CorpusEntry[] = [
  hit('basic', basic('alice:s3cr3t-pass'), 'Authorization: Basic {}'),
  hit('basic', basic('admin:admin'), 'curl -H "Authorization: Basic {}" http://localhost:8080'),
  hit('basic', basic('api:key-with:colons'), '{"Authorization": "Basic {}"}'),
  hit('basic', basic('deploy-bot:Zx9!kLm2@qW'), 'authorization: basic {}\r\nhost: ci'),
  hit('basic', basic(':personal-access-token-123'), 'Azure DevOps: Basic {}'),
  hit('basic', basic('user@example.com:hunter2'), 'Basic {}'),
  hit('basic', basic('svc_account:P@ssw0rd!2024'), 'header Basic {} sent'),
  hit('basic', basic('root:toor'), 'WWW-Authenticate failed for Basic {}.'),
];

const urlPasswords: CorpusEntry[] = [
  hit('password', 's3cr3tP4ss', 'postgres://admin:{}@db.internal:5432/app'),
  hit('password', 'hunter2!', 'mysql://root:{}@127.0.0.1:3306/shop'),
  hit('password', 'redis-pass-9', 'REDIS_URL=redis://:{}@cache.example.com:6379/0'),
  hit('password', 'Tr0ub4dor3', 'mongodb+srv://app_user:{}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true'),
  hit('password', 'guestpw', 'amqp://guest:{}@rabbitmq:5672/'),
  hit('password', 'deployKey42', 'git clone https://deploy:{}@git.example.com/org/repo.git'),
  hit('password', 'p%40ssw0rd', 'ftp://backup:{}@ftp.example.org/files'),
  hit('password', 'mailer-2024', '{"smtp": "smtp://mailer:{}@smtp.example.com:587"}'),
  hit('password', 'correct-horse', 'DATABASE_URL=postgresql://svc:{}@10.0.0.5/db'),
];

const inlineSecrets: CorpusEntry[] = [
  hit('secret', 'hunter2', 'password={}&user=bob'),
  hit('secret', 'Xk9mP2vL', 'DB_PASSWORD={}'),
  hit('secret', '8f14e45fceea167a5a36dedd4bea2543', '{"client_id": "app", "client_secret": "{}"}'),
  hit('secret', '5f2b9c7e1a3d4e6f', 'X-Api-Key: {}'),
  hit('secret', 'AbC123xyz789QWE', "config = { apiKey: '{}' }"),
  hit('secret', '9a8b7c6d5e4f', 'auth:\n  token: {}\n  user: ci'),
  hit('secret', 'EAACEdEose0cBA1234xyz', 'https://graph.example.com/me?access_token={}&fields=id'),
  hit('secret', '4f9a8c7b6e5d', 'Cookie: session={}; theme=dark'),
  hit('secret', 'correct horse battery staple', 'passphrase = "{}"'),
  hit('secret', 'P@ssw0rd!2024', '{"username":"jdoe","password":"{}"}'),
  hit('secret', '123456789', 'ssn: {}'),
  hit('secret', '4921', 'pin={}'),
  hit('secret', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY={}'),
  hit('secret', 'Sup3rS3cret', 'mysql -u root --password={} -h db'),
  hit('secret', 'abc123def456', 'set-cookie: sid={}; Path=/; HttpOnly'),
  hit('secret', 'rt-7f3a9c', 'refresh_token: "{}"'),
  hit('secret', 'q1w2e3r4', "const password = '{}';"),
];

const privateKeys: CorpusEntry[] = [
  (() => { const k = pem('RSA PRIVATE KEY'); return hit('private_key', k.body, `id_rsa contents:\n${k.block}\n`); })(),
  (() => { const k = pem('PRIVATE KEY'); return hit('private_key', k.body, `${k.block}`); })(),
  (() => { const k = pem('EC PRIVATE KEY', 3); return hit('private_key', k.body, `key.pem:\n${k.block}`); })(),
  (() => { const k = pem('OPENSSH PRIVATE KEY', 7); return hit('private_key', k.body, `cat ~/.ssh/id_ed25519\n${k.block}\n$ `); })(),
  (() => { const k = pem('ENCRYPTED PRIVATE KEY'); return hit('private_key', k.body, `-- encrypted --\n${k.block}`); })(),
  (() => { const k = pem('DSA PRIVATE KEY', 4); return hit('private_key', k.body, `legacy ${k.block} end`); })(),
  (() => { const k = pem('PGP PRIVATE KEY BLOCK', 8); return hit('private_key', k.body, `gpg --export-secret-keys:\n${k.block}`); })(),
  (() => {
    const k = pem('PRIVATE KEY', 6, '\\n');
    return hit('private_key', k.body, `{"type":"service_account","private_key_id":"abc","private_key":"${k.block}\\n","client_email":"x"}`);
  })(),
  (() => { const k = pem('RSA PRIVATE KEY', 5, '\r\n'); return hit('private_key', k.body, `windows file:\r\n${k.block}\r\n`); })(),
  (() => {
    const k = pem('RSA PRIVATE KEY', 4);
    const cut = k.block.slice(0, k.block.indexOf('-----END'));
    return hit('private_key', k.body, `log line truncated: ${cut}`);
  })(),
];

export const positives: CorpusEntry[] = [
  ...emails, ...phones, ...ssns, ...cards, ...ibans, ...jwts, ...keys, ...bearers, ...basics, ...urlPasswords,
  ...inlineSecrets, ...privateKeys,
];

// ---------------------------------------------------------------------------------------------
// Negatives: harmless look-alikes.

const lookAlikes: string[] = [
  // order numbers, tickets, SKUs
  'Order ORD-2024-000123 has shipped.',
  'Re: your order #4111',
  'Invoice INV-2023-0042 is overdue',
  'PO#99812 approved by finance',
  'Order 100234567 shipped via UPS 1Z999AA10123456784',
  'SKU-88812-XL is back in stock',
  'See JIRA-1234 and PROJ-56789 for context',
  'case #00123456 closed',
  'Tracking: 9400 1000 0000 0000 0000 00',
  'Ticket T-2024-05-06-0001 opened',
  'Batch B2024050612345 processed',
  'Reference no. 20240506-000123-77',
  // timestamps and dates
  '2024-05-06T10:20:30Z',
  'created_at=1715000000',
  '{"ts": 1715000000123}',
  'nanos: 1715000000123456789',
  '2024-05-06 10:20:30.123+02:00',
  'Mon, 06 May 2024 10:20:30 GMT',
  'Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT',
  'Due 06/05/2024, paid 05.06.2024',
  'May 6, 2024 at 10:20 AM',
  'report_20240506.csv',
  '05-06-2024 10:20',
  'window 2024-01-01..2024-12-31',
  'cron: 0 0 * * 1-5',
  'took 1234 ms (p99 5678 ms)',
  'uptime 12:34:56',
  // versions
  'version 1.2.3',
  'v10.4.0-beta.1',
  'node v20.19.0 on linux-x64',
  '"lodash": "^4.17.21"',
  'Python 3.12.1 (main, Dec  8 2023, 05:40:51)',
  'build 2024.05.06.1',
  'Chrome/124.0.6367.91 Safari/537.36',
  'upgrade from 0.9.12 to 0.10.0',
  'kernel 6.5.0-35-generic',
  'requires openssl >= 3.0.13',
  // UUIDs and ids
  '550e8400-e29b-41d4-a716-446655440000',
  'request_id=f47ac10b-58cc-4372-a567-0e02b2c3d479',
  '{"id": "123e4567-e89b-12d3-a456-426614174000"}',
  'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7',
  'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  'user_id 1790123456789012345',
  'discord id 80351110224678912',
  'ulid 01ARZ3NDEKTSV4RRFFQ69G5FAV',
  'object id 507f1f77bcf86cd799439011',
  // prices and amounts
  'Total: $1,234.56',
  'Preis: 1.234,56 €',
  'USD 12,345,678.90 wired',
  '£99.99 per month',
  'discount -15% (−$3.00)',
  'balance +12345678 points',
  '1,000,000 requests per day',
  // IP addresses and network
  'client 192.168.1.1 connected',
  'listen 10.0.0.255:8080',
  'X-Forwarded-For: 203.0.113.42, 198.51.100.7',
  'ipv6 2001:db8::ff00:42:8329',
  'bind [::1]:3000',
  'fe80::1ff:fe23:4567:890a%eth0',
  'netmask 255.255.255.0 gateway 172.16.254.1',
  'MAC 00:1A:2B:3C:4D:5E',
  'CIDR 10.128.0.0/9',
  // ISBNs and publication ids
  'ISBN 978-3-16-148410-0',
  'ISBN-10: 0-306-40615-2',
  '978-0-596-52068-7 (paperback)',
  'ISBN 979-10-90636-07-1',
  'ISSN 0317-8471',
  'doi:10.1000/182',
  // hashes
  'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
  'fixed in a1b2c3d',
  'sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'md5 d41d8cd98f00b204e9800998ecf8427e',
  'etag: "33a64df551425fcc55e4d42a148795d9f25f89d4"',
  'integrity sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==',
  'git rev-parse HEAD -> 3f786850e387550fdab836ed7e6dc881de23001b',
  // numbers that fail validation
  'card 4111 1111 1111 1112 declined in test',
  '5555555555554445',
  'id 1234567890123456',
  'luhn-valid but no issuer: 1234567812345670',
  'placeholder 0000 0000 0000 0000',
  '1111-2222-3333-4444',
  '6011111111111118',
  'ms timestamp 1715000000000',
  'account 20000000000000000000001',
  'SSN-like 000-12-3456',
  '666-12-3456 is never issued',
  '900-12-3456',
  '987-65-4321',
  '123-00-4567',
  '123-45-0000',
  'IBAN-like DE89 3704 0044 0532 0130 01',
  'GB00WEST12345698765432',
  'XX12 3456 7890 1234 5678',
  'product code AB12CD34EF56GH78',
  'US12 3456 7890 1234 5678 90',
  'phone-like 123-456-7890',
  '011-555-0100',
  // JWT and base64 look-alikes
  'eyJhbGciOiJIUzI1NiJ9 is just a header',
  'keep your eyes.wide.open',
  'header.payload.signature',
  'eyJub3Rqc29uIjp0cnVlfQ.eyJ4IjoxfQ.c2ln',
  'SGVsbG8gV29ybGQ=',
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  // Bearer and Basic as words
  'the bearer of good news',
  'Bearer token authentication is described in RFC 6750',
  'Use Bearer YOUR_TOKEN_HERE in the header',
  'Authorization: Bearer <token>',
  'Authorization: Bearer ${TOKEN}',
  'Basic plan: $9/month',
  'Basic usage of the API',
  'Basic concepts',
  'BASIC programming language',
  '"token_type": "Bearer", "expires_in": 3600',
  // API key look-alikes
  'pip install scikit-learn (sk-learn)',
  'risk-assessment-2024-final-version',
  'sk-proj-documentation-overview-and-more',
  'task-sk-12 done',
  'ghp is not a prefix on its own',
  'AKIA followed by nothing',
  'placeholder ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'AKIAXXXXXXXXXXXXXXXX',
  'SG.Lab experiment',
  'AIza prefix only',
  'key-value-store-configuration-is-documented-here',
  'xoxo-hugs-and-kisses',
  'npm_config_registry=https://registry.npmjs.org/',
  'pk_live_51HqLyjWDarjtT1zdp7dc is publishable',
  // keys in text that are not secrets
  '{"max_tokens": 4096, "temperature": 0.2}',
  '{"usage": {"input_tokens": 1234, "output_tokens": 567}}',
  'tokenCount: 42',
  'total_tokens=1789 prompt_tokens=1200 completion_tokens=589',
  '"cache_read_input_tokens": 2048',
  'maxTokens: 8000',
  'secretName: db-credentials',
  'secretKeyRef: { name: api, key: token }',
  'name: db-password',
  '"passwordPolicy": "strict"',
  'password_min_length=12',
  'tokenizer: cl100k_base',
  '"token_type":"Bearer"',
  'nextPageToken: CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA',
  'privateKeyPath=/etc/ssl/private/server.key',
  'publicKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host',
  'sessionTimeout=3600',
  'session_count: 12',
  'pin_code_length: 6',
  'ssn_last4_required=true',
  // code that mentions secrets without containing one
  'const token = getToken();',
  'password = hashPassword(input)',
  'secret: process.env.JWT_SECRET,',
  'function login(user: string, password: string) {}',
  'token: string;',
  'export TOKEN=$GITHUB_TOKEN',
  'password: ${DB_PASSWORD}',
  'if (token === expected) return true;',
  'apiKey?: string',
  'db_password = os.environ["DB_PASSWORD"]',
  'token = await fetchToken()',
  'password: z.string().min(12)',
  'headers: { Authorization: `Bearer ${token}` }',
  'password=password',
  'secret = config.secrets.jwt',
  'token: null',
  'password: ""',
  // public key material
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 deploy@ci',
  'the private key stays on the device',
  // email look-alikes
  'npm i @scope/package@1.2.3',
  'logo@2x.png',
  'icons/arrow@3x.webp',
  'user@localhost',
  'name at example dot com',
  'ping @alice in #general',
  'foo@bar',
  'react@18.2.0 and vue@next',
  'decorator @Component({ selector: "app" })',
  // phone look-alikes
  'sizes 256 512 1024 2048',
  'error code -32602 (invalid params)',
  'jsonrpc id 1234567',
  '+1 vote from the reviewers',
  'UTC+05:30',
  'temperature +3.5°C',
  'GMT+1',
  'zip 94103-1234',
  'postcode SW1A 1AA',
  'coordinates 37.7749, -122.4194',
  'room 101, floor 3, desk 42',
  '0.5 0.25 0.125',
  'version 0.12.3',
  '(0) 12 34',
  'ratio 16:9 at 1920x1080',
  'score 98.6 +/- 0.4',
  'ext. 1234',
  'EAN 4006381333931',
  // URLs without credentials
  'git remote add origin git@github.com:org/repo.git',
  'ssh deploy@build.example.com:22',
  'docker pull nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31',
  'ids ch_3MmlLrLkdIwHu7ix0snN0B15 cus_NffrFeUfNV2Hib msg_01XFDUDYJgAACzvnptvVoYEL',
  'tool_use id toolu_01A09q90qw90lq917835lq9 in chatcmpl-8abcXYZ123',
  'secret: false',
  'Tokens: 1500 in, 300 out',
  'Amount +1 234 567 890 EUR',
  'https://example.com:8443/path?x=1&y=2',
  'ssh://git@github.com:22/org/repo.git',
  'postgres://db.internal:5432/app',
  'redis://cache:6379/0',
  'http://localhost:3000/api/v1/users?page=2&per_page=50',
  'file:///home/user/.config/app.json',
  // plain text
  'The quick brown fox jumps over the lazy dog.',
  'Deployment succeeded in 42s.',
  'Hello, world!',
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit.',
  'OK',
  '',
  'null',
  'true',
  'Temporary failure in name resolution',
  'ECONNREFUSED 127.0.0.1:5432',
  'Error: ENOENT: no such file or directory, open \'/tmp/x.json\'',
  'at Object.<anonymous> (/app/src/index.ts:12:34)',
  'SELECT id, email_verified FROM users WHERE created_at > now() - interval \'7 days\'',
  'color: #ff8800; margin: 0 auto;',
  'Tokens are the unit an LLM reads.',
  'Passwords must be at least 12 characters.',
  'Rotate secrets every 90 days.',
  '## Authentication\nUse an API key from the dashboard.',
  'Matrix [[1, 2], [3, 4]]',
  'ratio = 3/4',
  '{"tool":"search","arguments":{"query":"weather in Paris","limit":5}}',
  '{"content":[{"type":"text","text":"Found 3 results"}],"isError":false}',
  'progress 42/100',
  'chmod 0644 file.txt',
  'Seats: 12A, 12B, 14C',
  'lat/long 51.5074 N, 0.1278 W',
];

export const negatives: CorpusEntry[] = lookAlikes.map((text) => ({ text }));

export const corpus: CorpusEntry[] = [...positives, ...negatives];
