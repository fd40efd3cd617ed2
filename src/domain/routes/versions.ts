// Step 4 of resolution: which version of a route's server serves the call.
import semver from 'semver';

export interface ServerCandidate {
  name: string;
  version: string;
  status: string;
  health: string;
  transportType: string;
  transportSummary: string;
  tags: string[];
}

const healthRank: Record<string, number> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

/**
 * Not disabled (deleted rows are never loaded), inside the route's range and the caller's
 * preference; healthy before unknown before degraded before unhealthy, then the highest version.
 * Prereleases only when a range names one (semver's own rule).
 */
export function pickVersion(
  versions: ServerCandidate[],
  range: string,
  preference: string | undefined,
): { chosen?: ServerCandidate; rejected: string[] } {
  const rejected: string[] = [];
  const eligible = versions.filter((v) => {
    if (v.status === 'disabled') return void rejected.push(`${v.version} is disabled`);
    if (!semver.satisfies(v.version, range)) return void rejected.push(`${v.version} is outside the route's range ${range}${semver.prerelease(v.version) ? ' (prereleases need a range that names one)' : ''}`);
    if (preference && !semver.satisfies(v.version, preference)) return void rejected.push(`${v.version} is outside the requested version ${preference}`);
    return true;
  });
  eligible.sort((a, b) => (healthRank[a.health] ?? 1) - (healthRank[b.health] ?? 1) || semver.rcompare(a.version, b.version));
  const [chosen, ...others] = eligible;
  for (const other of others) rejected.push(`${other.version} (${other.health}) ranks below ${chosen!.version} (${chosen!.health})`);
  return { ...(chosen ? { chosen } : {}), rejected };
}
