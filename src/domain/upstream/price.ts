// What a call costs: a price per call plus a price per unit the upstream reports in its result's
// _meta.units (tokens, pages, rows… whatever the server counts). A route's prices, when it sets
// any, replace its server's.
import type { UpstreamResult } from './port.js';

export interface Price {
  perCall: number | null;
  perUnit: number | null;
}

export const noPrice: Price = { perCall: null, perUnit: null };

const isSet = (p: Price) => p.perCall !== null || p.perUnit !== null;

export const priceFor = (route: Price, server: Price): Price => (isSet(route) ? route : server);

/** The units an upstream result reports, when it reports a usable number. */
export function unitsOf(result: UpstreamResult): number | null {
  const units = result._meta?.units;
  return typeof units === 'number' && Number.isFinite(units) && units >= 0 ? units : null;
}

/** null when nothing is priced, so unpriced calls stay distinguishable from free ones. */
export function costOf(price: Price, units: number | null): number | null {
  if (!isSet(price)) return null;
  return (price.perCall ?? 0) + (price.perUnit !== null && units !== null ? price.perUnit * units : 0);
}
