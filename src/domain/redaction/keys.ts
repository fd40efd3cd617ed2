// Which field names hold secrets. Names are normalised (lowercase; `-`, `_`, space and `.` removed)
// so `X-Api-Key`, `api_key` and `apiKey` are one name. The rule, in order:
//   1. A trailing qualifier is dropped once: `passwordHash`, `sessionId`, `password2` are judged as
//      `password`, `session`, `password`.
//   2. A few names that end like a secret but are not one survive: pagination tokens
//      (`nextPageToken`) and `maxToken`-style limits.
//   3. The name is sensitive when it ends with a sensitive term (`dbPassword`, `githubToken`,
//      `client_secret`, `x-api-key`) or is exactly one of a few short terms too ambiguous to match
//      as a suffix (`pin`).
// Because terms match at the end, counters named after tokens survive: `max_tokens`, `tokenCount`,
// `input_tokens`, `tokens` (LLM usage fields are everywhere in MCP payloads), and so do names that
// merely describe a secret: `secretName`, `tokenType`, `passwordPolicy`, `privateKeyPath`.
// `pwd` is not a term: in environment dumps it is the working directory.

const SUFFIX_TERMS = [
  'password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'accesskey', 'secretkey', 'privatekey',
  'signingkey', 'encryptionkey', 'masterkey', 'sessionkey', 'licensekey', 'authorization', 'cookie',
  'credential', 'credentials', 'session', 'ssn', 'socialsecuritynumber', 'cardnumber', 'creditcard',
  'ccnumber', 'cvv', 'cvc', 'cvv2', 'cvc2', 'securitycode', 'pincode', 'otp', 'iban', 'accountnumber',
  'connectionstring', 'jwt',
];
const EXACT_TERMS = ['pin', 'passwords', 'cookies', 'mfacode', 'otpcode', 'recoverycodes', 'backupcodes'];
const NOT_SECRET = ['pagetoken', 'continuationtoken', 'nexttoken', 'synctoken', 'paginationtoken', 'maxtoken', 'mintoken', 'numtoken'];
const QUALIFIER = /(?:hash|digest|confirmation|confirm|plaintext|plain|value|raw|encrypted|enc|base64|b64|pem|id|\d{1,3})$/;

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_ .]/g, '');
}

/** A classifier for field names; `extraKeys` are treated like the built-in suffix terms. */
export function createKeyClassifier(extraKeys: readonly string[] = []): (key: string) => boolean {
  const extra = extraKeys.map((key) => {
    const term = normaliseKey(key);
    if (term === '') throw new Error(`Redaction extra key '${key}' is empty once '-', '_', ' ' and '.' are removed.`);
    return term;
  });
  const suffixes = [...SUFFIX_TERMS, ...extra];
  const exact = new Set(EXACT_TERMS);
  const sensitive = (name: string): boolean => {
    if (exact.has(name)) return true;
    if (NOT_SECRET.some((s) => name.endsWith(s))) return false;
    return suffixes.some((s) => name.endsWith(s));
  };
  // Payloads repeat the same few field names endlessly; remember answers, within bounds.
  const cache = new Map<string, boolean>();
  return (key) => {
    const known = cache.get(key);
    if (known !== undefined) return known;
    const name = normaliseKey(key);
    const stem = name.replace(QUALIFIER, '');
    const answer = name !== '' && (sensitive(name) || (stem !== '' && stem !== name && sensitive(stem)));
    if (cache.size >= 10_000) cache.clear();
    cache.set(key, answer);
    return answer;
  };
}
