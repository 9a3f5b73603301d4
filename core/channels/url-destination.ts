/**
 * The policy of every URL-bearing channel (a `destination` of kind `url`), as data: the shape of
 * the URL field, the address ranges it must never reach (loopback, private, link-local such as
 * the instance metadata service, unique-local, multicast, reserved, and the IPv6 forms that carry
 * an IPv4 address to a translator or relay), and the ports it may use (`WEBHOOK_ALLOWED_PORTS`,
 * 443 and 80 by default). The checks themselves resolve host names, so they are network code:
 * functions/shared/webhook-url-policy.ts builds them from these lists, for the API (when a rule
 * is saved) and the notifier (at every send).
 */
import * as z from 'zod';
import { documented, withJsonSchema } from '../rule-model/schema-docs';
import { mustBe } from '../rule-model/validation';

/** Longest URL a channel accepts. */
export const MAX_URL_LENGTH = 2048;

/** How long the policy waits for DNS before refusing a URL. */
export const URL_RESOLVE_TIMEOUT_MS = 3_000;

/** IPv4 ranges a URL may not reach, each with why. Loopback (127.0.0.0/8) is allowed in local development only. */
export const BLOCKED_IPV4_RANGES: readonly (readonly [network: string, prefix: number, why: string])[] = [
  ['0.0.0.0', 8, '"this network", including the unspecified 0.0.0.0'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local, including 169.254.169.254 (instance metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation (TEST-NET-1)'],
  ['192.88.99.0', 24, '6to4 relay anycast (deprecated): relays into 6to4'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation (TEST-NET-2)'],
  ['203.0.113.0', 24, 'documentation (TEST-NET-3)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved, including broadcast'],
];

/**
 * IPv6 ranges a URL may not reach. Loopback (::1) is allowed in local development only;
 * IPv4-mapped (::ffff:a.b.c.d) and well-known NAT64 (64:ff9b::a.b.c.d) addresses are judged by the
 * IPv4 address they carry. The other forms that carry an IPv4 address (IPv4-translated, 6to4,
 * Teredo, local-use NAT64) reach it through a translator or relay whose reach we cannot judge, so
 * they are refused whatever the address they carry.
 */
export const BLOCKED_IPV6_RANGES: readonly (readonly [network: string, prefix: number, why: string])[] = [
  ['::', 96, 'unspecified, loopback and the deprecated IPv4-compatible form'],
  ['::ffff:0:0:0', 96, 'IPv4-translated (SIIT, ::ffff:0:a.b.c.d)'],
  ['64:ff9b:1::', 48, 'local-use NAT64: its translator may reach any IPv4 network'],
  ['100::', 64, 'discard'],
  ['2001::', 23, 'IETF protocol assignments, including Teredo (2001::/32), which carries an IPv4 address'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4 (deprecated), which carries an IPv4 address: a relay would forward to it'],
  ['3fff::', 20, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

/** The NAT64 prefix whose addresses embed an IPv4 address in their last 32 bits. */
export const NAT64_PREFIX = ['64:ff9b::', 96] as const;

/** Ports a URL may use: inclusive ranges, a single port being a range of one. */
export type AllowedPorts = readonly (readonly [from: number, to: number])[];

const PORT_ITEM = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/**
 * Reads a port list such as `443,80` or `443,8000-8999` (`WEBHOOK_ALLOWED_PORTS`).
 * @returns the ranges, or why the text is not a port list (phrased to follow the setting's name).
 * @example parseAllowedPorts('443, 8000-8999') // { ok: true, ports: [[443, 443], [8000, 8999]] }
 */
export function parseAllowedPorts(text: string): { ok: true; ports: AllowedPorts } | { ok: false; problem: string } {
  const problem = 'must be a comma-separated list of ports (1-65535) or port ranges such as 443,80 or 8000-8999';
  const ports: [number, number][] = [];
  for (const item of text.split(',')) {
    const match = PORT_ITEM.exec(item.trim());
    if (match === null) return { ok: false, problem };
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to > 65_535 || from > to) return { ok: false, problem };
    ports.push([from, to]);
  }
  return { ok: true, ports };
}

/** Ports a URL may use unless `WEBHOOK_ALLOWED_PORTS` says otherwise: those of https and http. */
export const DEFAULT_ALLOWED_PORTS_SETTING = '443,80';
export const DEFAULT_ALLOWED_PORTS: AllowedPorts = [
  [443, 443],
  [80, 80],
];

export function isAllowedPort(port: number, ports: AllowedPorts): boolean {
  return ports.some(([from, to]) => port >= from && port <= to);
}

/** `443 or 80`, `443, 80 or 8000-8999`: the allowed ports in an error message. */
export function describeAllowedPorts(ports: AllowedPorts): string {
  const items = ports.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`));
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

const cidr = ([network, prefix]: readonly [string, number, string]) => `${network}/${prefix}`;

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

/**
 * The URL field of a URL-bearing channel: an absolute http(s) URL of at most 2048 characters.
 * The rest of the policy (https, no user name or password, allowed ports, public addresses) is
 * checked by the API, since it needs DNS and the deployment's settings; the OpenAPI document
 * states it (`publicHost`, and the description).
 */
export const destinationUrlSchema = documented(
  withJsonSchema(
    z
      .string({ error: mustBe('a string') })
      .max(MAX_URL_LENGTH, { error: `must be at most ${MAX_URL_LENGTH} characters` })
      .refine(isHttpUrl, { message: 'must be an absolute http(s) URL' }),
    { format: 'uri', pattern: '^https://' },
  ),
  {
    description: 'An absolute https URL without a user name or password, on port 443 (or another port the deployment allows).',
    constraints: [
      {
        kind: 'publicHost',
        blockedRanges: [...BLOCKED_IPV4_RANGES.map(cidr), ...BLOCKED_IPV6_RANGES.map(cidr)],
        resolveTimeoutMs: URL_RESOLVE_TIMEOUT_MS,
      },
    ],
  },
);
