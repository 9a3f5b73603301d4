/**
 * The policy of every URL-bearing channel (a `destination` of kind `url`), as data: the shape of
 * the URL field, and the address ranges it must never reach (loopback, private, link-local such
 * as the instance metadata service, unique-local, multicast, reserved). The checks themselves
 * resolve host names, so they are network code: functions/shared/webhook-url-policy.ts builds them
 * from these lists, for the API (when a rule is saved) and the notifier (at every send).
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
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved, including broadcast'],
];

/**
 * IPv6 ranges a URL may not reach. Loopback (::1) is allowed in local development only;
 * IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are judged by the IPv4
 * address they carry.
 */
export const BLOCKED_IPV6_RANGES: readonly (readonly [network: string, prefix: number, why: string])[] = [
  ['::', 96, 'unspecified, loopback and the deprecated IPv4-compatible form'],
  ['100::', 64, 'discard'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

/** The NAT64 prefix whose addresses embed an IPv4 address in their last 32 bits. */
export const NAT64_PREFIX = ['64:ff9b::', 96] as const;

const cidr = ([network, prefix]: readonly [string, number, string]) => `${network}/${prefix}`;

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

/**
 * The URL field of a URL-bearing channel: an absolute http(s) URL of at most 2048 characters.
 * The rest of the policy (https, public addresses) needs DNS and is checked by the API; the
 * OpenAPI document states it (`publicHost`).
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
    description: 'An absolute https URL without a user name or password.',
    constraints: [
      {
        kind: 'publicHost',
        blockedRanges: [...BLOCKED_IPV4_RANGES.map(cidr), ...BLOCKED_IPV6_RANGES.map(cidr)],
        resolveTimeoutMs: URL_RESOLVE_TIMEOUT_MS,
      },
    ],
  },
);
