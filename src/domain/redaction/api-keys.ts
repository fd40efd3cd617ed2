// Vendor credential formats, one alternation so a string is scanned once for all of them. Each
// prefix is followed by its documented alphabet and length, bounded; the trailing boundary keeps
// a longer identifier that merely starts like a key from matching.
import type { Detector } from './detectors.js';
import { distinctAtLeast, looksRandom } from './validators.js';

// Prefixes that ordinary words can follow ("sk-learn", "key-value-…") need a random-looking body;
// the others are distinctive enough that only placeholders (xxxx…) are turned away.
const WEAK_PREFIX = /^(?:sk-|key-|SK|xox|xapp-|hf_|dapi|r8_|gsk_|xai-)/;

export const apiKey: Detector = {
  kind: 'api_key',
  pattern: new RegExp(
    '(?<![\\w-])(?:' +
      [
        'sk-[A-Za-z0-9_-]{20,400}', // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-)
        'gh[pousr]_[A-Za-z0-9]{36,251}',
        'github_pat_[A-Za-z0-9_]{22,251}',
        'xox[abposr]-[A-Za-z0-9-]{10,251}', // Slack
        'xapp-[A-Za-z0-9-]{10,251}',
        '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}', // AWS access key ids
        '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}', // Stripe
        'whsec_[A-Za-z0-9]{24,128}',
        'AIza[A-Za-z0-9_-]{35}', // Google API key
        'GOCSPX-[A-Za-z0-9_-]{28}', // Google OAuth client secret
        'ya29\\.[A-Za-z0-9_-]{20,2048}', // Google OAuth access token
        'gl(?:pat|dt|rt|ptt|cbt)-[A-Za-z0-9_-]{20,64}', // GitLab
        'npm_[A-Za-z0-9]{36}',
        'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', // SendGrid
        'hf_[A-Za-z0-9]{30,40}', // Hugging Face
        'SK[0-9a-f]{32}', // Twilio
        'key-[0-9a-zA-Z]{32}', // Mailgun
        'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}', // Shopify
        'do[opr]_v1_[a-f0-9]{64}', // DigitalOcean
        'pypi-AgE[A-Za-z0-9_-]{50,256}',
        'gsk_[A-Za-z0-9]{48,64}', // Groq
        'xai-[A-Za-z0-9]{60,100}',
        'r8_[A-Za-z0-9]{37}', // Replicate
        'lin_api_[A-Za-z0-9]{40}', // Linear
        'PMAK-[a-f0-9]{24}-[a-f0-9]{34}', // Postman
        'dp\\.pt\\.[A-Za-z0-9]{40,44}', // Doppler
        'sbp_[a-f0-9]{40}', // Supabase
        'dapi[a-f0-9]{32}', // Databricks
        'hooks\\.slack\\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24}', // Slack webhook URL
        'discord(?:app)?\\.com/api/webhooks/\\d{17,20}/[A-Za-z0-9_-]{60,80}', // Discord webhook URL
        'sb_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}', // Switchboard's own API keys
      ].join('|') +
      ')(?![\\w-])',
    'g',
  ),
  // Every format above holds a run of at least 15 of [A-Za-z0-9_-] (xoxb- and xapp- plus 10).
  needs: { length: 20, wordRun: 15 },
  accept: (m) => {
    const key = m[0];
    const ok = WEAK_PREFIX.test(key) ? looksRandom(key.slice(4)) : distinctAtLeast(key, 6, 4);
    return ok ? [m.index, m.index + key.length] : undefined;
  },
};
