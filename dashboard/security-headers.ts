/**
 * The dashboard's HTTP response headers, defined once for both places that serve it: CloudFront's
 * response headers policy (lib/constructs/dashboard-site.ts) and the local stack's static server
 * (local/dashboard-server.ts), so a header that would break the page breaks it locally first (the
 * browser end-to-end test fails on any console error, CSP violations included).
 *
 * The page loads only its own files; it talks to the HTTP API and the WebSocket API, which are
 * other origins (`connectSources`). No inline script or style, no frames, no plugins.
 */

/** The Content-Security-Policy for a dashboard that may connect to `connectSources`. */
export function contentSecurityPolicy(connectSources: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The favicon is an empty data: URL (no request); the chart library draws on canvases.
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${connectSources.join(' ')}`.trim(),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every response carries besides the CSP (HSTS only over HTTPS, so CloudFront adds it). */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The page's URLs carry nothing secret, but nothing needs to leave with a request either.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
} as const;

/** index.html and config.json: always revalidated, so a deployment reaches open tabs on reload. */
export const ENTRY_CACHE_CONTROL = 'no-cache';
/** `assets/*` have content hashes in their names: cacheable for good. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
