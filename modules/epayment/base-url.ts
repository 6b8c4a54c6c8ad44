// The host of a base URL, parsed without any host API (no URL global on XS): scheme, optional
// user info, host (lower-cased, no trailing dot), then an optional port and path. Used by every
// "is this production?" check, so `https://API.vipps.no:443/` counts as production like the
// exact string does.
import { BASE_URLS } from 'epayment/config';

/** The lower-cased host of an http(s) URL, or undefined when the text is not one. */
export function baseUrlHost(url: string): string | undefined {
  const match = /^\s*(https?):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?(?:[/?#].*)?\s*$/i.exec(url);
  if (!match) return undefined;
  const host = match[2]!.toLowerCase().replace(/\.+$/, '');
  return host.length > 0 ? host : undefined;
}

/** The production API's host (api.vipps.no). */
export const PRODUCTION_HOST = baseUrlHost(BASE_URLS.production)!;

/** Whether a base URL points at the production API, whatever its port, trailing slash or case. */
export function isProductionBaseUrl(url: string | undefined): boolean {
  return url !== undefined && baseUrlHost(url) === PRODUCTION_HOST;
}
