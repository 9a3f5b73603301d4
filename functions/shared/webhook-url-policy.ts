/**
 * Where a URL-bearing channel may point (every channel whose registered destination is a `url`,
 * core/channels/registry.ts; the webhook today). Such a channel makes our functions send requests
 * to an address a user chose, so the URL must be https, carry no user name or password, use an
 * allowed port (443 and 80 unless `WEBHOOK_ALLOWED_PORTS` says otherwise) and must not reach
 * internal addresses (core/channels/url-destination.ts lists the ranges: loopback, private,
 * link-local such as the instance metadata service, unique-local, unspecified, multicast, and the
 * IPv6 forms that carry IPv4 to a translator or relay), however the host name resolves: every
 * address it resolves to must pass. Checked when a rule is created or changed, and again by the
 * notifier at send time, because DNS answers change (a host may resolve somewhere else by then).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import {
  BLOCKED_IPV4_RANGES,
  BLOCKED_IPV6_RANGES,
  DEFAULT_ALLOWED_PORTS,
  describeAllowedPorts,
  isAllowedPort,
  NAT64_PREFIX,
  URL_RESOLVE_TIMEOUT_MS,
  type AllowedPorts,
} from '../../core/channels/url-destination';

/** Resolves a host name to its IP addresses (v4 and v6). Injectable for tests. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export interface WebhookUrlPolicy {
  /** Local development only: allow http:// and loopback addresses. */
  allowLoopback: boolean;
  /** Ports the URL may use (`WEBHOOK_ALLOWED_PORTS`); 443 and 80 when unset. */
  allowedPorts?: AllowedPorts;
  resolve?: ResolveHost;
  /** How long to wait for DNS before refusing the URL. */
  resolveTimeoutMs?: number;
}

export const resolveWithDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const internal = new BlockList();
for (const [network, prefix] of BLOCKED_IPV4_RANGES) internal.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of BLOCKED_IPV6_RANGES) internal.addSubnet(network, prefix, 'ipv6');
// IPv4-mapped IPv6 (::ffff:a.b.c.d) is matched against the IPv4 rules by BlockList itself.

const NAT64 = new BlockList();
NAT64.addSubnet(NAT64_PREFIX[0], NAT64_PREFIX[1], 'ipv6');

/** The IPv4 address embedded in the last 32 bits of a NAT64 address (64:ff9b::a.b.c.d). */
function embeddedIpv4(address: string): string {
  const groups = address.includes('.') ? null : address.split(':').slice(-2);
  if (groups === null) return address.slice(address.lastIndexOf(':') + 1);
  const [high = 0, low = 0] = groups.map((group) => parseInt(group || '0', 16));
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

type AddressKind = 'public' | 'loopback' | 'internal';

export function classifyAddress(address: string): AddressKind {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (family === 'ipv6' && NAT64.check(address, 'ipv6')) return classifyAddress(embeddedIpv4(address));
  if (loopback.check(address, family)) return 'loopback';
  return internal.check(address, family) ? 'internal' : 'public';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type Inspection = { ok: true; addresses: string[] } | { ok: false; reason: string; retryable: boolean };

async function inspectWebhookUrl(url: string, policy: WebhookUrlPolicy): Promise<Inspection> {
  const refuse = (reason: string, retryable = false): Inspection => ({ ok: false, reason, retryable });
  if (!URL.canParse(url)) return refuse('must be an absolute https URL');
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && !(policy.allowLoopback && parsed.protocol === 'http:')) return refuse('must use https');
  if (parsed.username !== '' || parsed.password !== '') return refuse('must not contain a user name or password');
  // URL leaves `port` empty for the scheme's default port.
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  const allowedPorts = policy.allowedPorts ?? DEFAULT_ALLOWED_PORTS;
  if (!isAllowedPort(port, allowedPorts)) return refuse(`must use port ${describeAllowedPorts(allowedPorts)} (not ${port})`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await withTimeout((policy.resolve ?? resolveWithDns)(host), policy.resolveTimeoutMs ?? URL_RESOLVE_TIMEOUT_MS);
    } catch {
      addresses = [];
    }
    // DNS may answer later: at send time that is worth a retry, at rule creation it is a 400.
    if (addresses.length === 0) return refuse(`must name a host that resolves (${host} does not)`, true);
  }
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'public' || (kind === 'loopback' && policy.allowLoopback)) continue;
    return refuse(`must not point to a private, loopback, link-local or otherwise internal address (${host} is ${address})`);
  }
  return { ok: true, addresses };
}

/**
 * Checks a webhook URL against the policy (at rule creation and change).
 * @returns null when the URL may be used, else why not, phrased to follow the field name
 * (`channels[0].url` + ` must use https`).
 * @example await checkWebhookUrl('https://10.0.0.1/hook', { allowLoopback: false }) // 'must not point to ...'
 */
export async function checkWebhookUrl(url: string, policy: WebhookUrlPolicy): Promise<string | null> {
  const inspection = await inspectWebhookUrl(url, policy);
  return inspection.ok ? null : inspection.reason;
}

/** Why a webhook target was refused at send time; `retryable` when DNS may answer later. */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** An address a URL's host resolved to, vetted by the policy. */
export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves and vets a webhook URL at send time, and returns every address the host resolved to
 * (each one vetted, in DNS order, both families), the only addresses the request may connect to:
 * a DNS answer that changes between check and connect cannot redirect it.
 * @throws WebhookTargetRefused when the URL may not be used.
 * @example await vetWebhookTarget('https://hooks.example.com/', { allowLoopback: false }) // { addresses: [{ address: '2606:…', family: 6 }, { address: '93.184.215.14', family: 4 }] }
 */
export async function vetWebhookTarget(url: string, policy: WebhookUrlPolicy): Promise<{ addresses: VettedAddress[] }> {
  const inspection = await inspectWebhookUrl(url, policy);
  if (!inspection.ok) throw new WebhookTargetRefused(`webhook URL ${inspection.reason}`, inspection.retryable);
  const unique = [...new Set(inspection.addresses)];
  return { addresses: unique.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 })) };
}
