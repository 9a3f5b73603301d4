import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BLOCKED_IPV4_RANGES, BLOCKED_IPV6_RANGES } from '../../../core/channels/url-destination';
import { ConfigError, loadApiConfig, loadNotifierConfig } from '../../../functions/shared/config';
import { checkWebhookUrl, classifyAddress, vetWebhookTarget, WebhookTargetRefused, type ResolveHost } from '../../../functions/shared/webhook-url-policy';

const resolvesTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses;
const strict = (resolve: ResolveHost = resolvesTo('93.184.215.14')) => ({ allowLoopback: false, resolve });

describe('webhook URL policy', () => {
  it('accepts https to a public address', async () => {
    expect(await checkWebhookUrl('https://hooks.example.com/alerts?x=1', strict())).toBeNull();
    expect(await checkWebhookUrl('https://93.184.215.14:443/hook', strict())).toBeNull();
    expect(await checkWebhookUrl('https://[2606:2800:220:1:248:1893:25c8:1946]/hook', strict())).toBeNull();
  });

  it('requires https', async () => {
    expect(await checkWebhookUrl('http://hooks.example.com/', strict())).toBe('must use https');
    expect(await checkWebhookUrl('ftp://hooks.example.com/', strict())).toBe('must use https');
  });

  it.each(['https://user:pass@hooks.example.com/', 'https://user@hooks.example.com/', 'https://:pass@hooks.example.com/', 'https://user:@hooks.example.com/', 'https://%40@hooks.example.com/'])(
    'refuses credentials in the URL: %s',
    async (url) => {
      expect(await checkWebhookUrl(url, strict())).toBe('must not contain a user name or password');
    },
  );

  it.each([
    '127.0.0.1',
    '10.0.0.8',
    '172.16.5.4',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    '224.0.0.1',
  ])('refuses a host that resolves to %s', async (address) => {
    expect(await checkWebhookUrl('https://innocent.example.com/', strict(resolvesTo('93.184.215.14', address)))).toMatch(/must not point to/);
  });

  it('refuses internal IP literals without asking DNS', async () => {
    const noDns: ResolveHost = async () => {
      throw new Error('DNS must not be asked');
    };
    expect(await checkWebhookUrl('https://[::ffff:127.0.0.1]/', strict(noDns))).toMatch(/must not point to/);
    expect(await checkWebhookUrl('https://0x7f000001/', strict(noDns))).toMatch(/must not point to/);
  });

  it('refuses a host that does not resolve, or not in time', async () => {
    const fails: ResolveHost = async () => {
      throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const hangs: ResolveHost = () => new Promise(() => undefined);
    expect(await checkWebhookUrl('https://nowhere.invalid/', strict(fails))).toMatch(/resolves/);
    expect(await checkWebhookUrl('https://slow.example.com/', { ...strict(hangs), resolveTimeoutMs: 20 })).toMatch(/resolves/);
  });

  it('allows http and loopback for local development only', async () => {
    const local = { allowLoopback: true, allowedPorts: [[1, 65_535]] as const, resolve: resolvesTo('127.0.0.1') };
    expect(await checkWebhookUrl('http://localhost:9000/hook', local)).toBeNull();
    expect(await checkWebhookUrl('http://[::1]:9000/hook', local)).toBeNull();
    expect(await checkWebhookUrl('http://10.0.0.1/hook', local)).toMatch(/must not point to/);
  });

  it('classifies addresses', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('127.0.0.2')).toBe('loopback');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('64:ff9b::8.8.8.8')).toBe('public');
    expect(classifyAddress('2606:4700:4700::1111')).toBe('public');
    expect(classifyAddress('2001:db8::1')).toBe('internal');
    expect(classifyAddress('2002:a00:1::1')).toBe('internal');
  });
});

/** An IPv4 or IPv6 address as a number, to step one address below or above a range. */
function toNumber(address: string): bigint {
  if (!address.includes(':')) return address.split('.').reduce((sum, part) => (sum << 8n) | BigInt(part), 0n);
  const [head = '', tail] = address.split('::');
  const groups = (text: string | undefined) => (text === undefined || text === '' ? [] : text.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((sum, group) => (sum << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function fromNumber(value: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  return [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => ((value >> shift) & 0xffffn).toString(16)).join(':');
}

type Verdict = 'refused' | 'allowed';

/**
 * Every blocked range: its first and last address (refused), and the addresses just outside it
 * with what the policy makes of them (null: the range starts or ends the address space). Written
 * out by hand; the first test below checks the rows against the policy's list and arithmetic.
 */
const RANGES: readonly (readonly [cidr: string, first: string, last: string, below: readonly [string, Verdict] | null, above: readonly [string, Verdict] | null])[] = [
  ['0.0.0.0/8', '0.0.0.0', '0.255.255.255', null, ['1.0.0.0', 'allowed']],
  ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', ['9.255.255.255', 'allowed'], ['11.0.0.0', 'allowed']],
  ['100.64.0.0/10', '100.64.0.0', '100.127.255.255', ['100.63.255.255', 'allowed'], ['100.128.0.0', 'allowed']],
  ['127.0.0.0/8', '127.0.0.0', '127.255.255.255', ['126.255.255.255', 'allowed'], ['128.0.0.0', 'allowed']],
  ['169.254.0.0/16', '169.254.0.0', '169.254.255.255', ['169.253.255.255', 'allowed'], ['169.255.0.0', 'allowed']],
  ['172.16.0.0/12', '172.16.0.0', '172.31.255.255', ['172.15.255.255', 'allowed'], ['172.32.0.0', 'allowed']],
  ['192.0.0.0/24', '192.0.0.0', '192.0.0.255', ['191.255.255.255', 'allowed'], ['192.0.1.0', 'allowed']],
  ['192.0.2.0/24', '192.0.2.0', '192.0.2.255', ['192.0.1.255', 'allowed'], ['192.0.3.0', 'allowed']],
  ['192.88.99.0/24', '192.88.99.0', '192.88.99.255', ['192.88.98.255', 'allowed'], ['192.88.100.0', 'allowed']],
  ['192.168.0.0/16', '192.168.0.0', '192.168.255.255', ['192.167.255.255', 'allowed'], ['192.169.0.0', 'allowed']],
  ['198.18.0.0/15', '198.18.0.0', '198.19.255.255', ['198.17.255.255', 'allowed'], ['198.20.0.0', 'allowed']],
  ['198.51.100.0/24', '198.51.100.0', '198.51.100.255', ['198.51.99.255', 'allowed'], ['198.51.101.0', 'allowed']],
  ['203.0.113.0/24', '203.0.113.0', '203.0.113.255', ['203.0.112.255', 'allowed'], ['203.0.114.0', 'allowed']],
  ['224.0.0.0/4', '224.0.0.0', '239.255.255.255', ['223.255.255.255', 'allowed'], ['240.0.0.0', 'refused']],
  ['240.0.0.0/4', '240.0.0.0', '255.255.255.255', ['239.255.255.255', 'refused'], null],
  ['::/96', '::', '::ffff:ffff', null, ['::1:0:0', 'allowed']],
  ['::ffff:0:0:0/96', '::ffff:0:0:0', '::ffff:0:ffff:ffff', ['::fffe:ffff:ffff:ffff', 'allowed'], ['::ffff:1:0:0', 'allowed']],
  ['64:ff9b:1::/48', '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', ['64:ff9b:0:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['64:ff9b:2::', 'allowed']],
  ['100::/64', '100::', '100::ffff:ffff:ffff:ffff', ['ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['100:0:0:1::', 'allowed']],
  ['2001::/23', '2001::', '2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', ['2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['2001:200::', 'allowed']],
  ['2001:db8::/32', '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['2001:db9::', 'allowed']],
  ['2002::/16', '2002::', '2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['2003::', 'allowed']],
  ['3fff::/20', '3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', ['3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['3fff:1000::', 'allowed']],
  ['fc00::/7', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['fe00::', 'allowed']],
  ['fe80::/10', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'allowed'], ['fec0::', 'refused']],
  ['fec0::/10', 'fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'refused'], ['ff00::', 'refused']],
  ['ff00::/8', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'refused'], null],
];

/** Addresses that carry an IPv4 address the policy judges instead (IPv4-mapped, well-known NAT64). */
const CARRIERS: readonly (readonly [address: string, verdict: Verdict])[] = [
  ['::ffff:0:0', 'refused'],
  ['::ffff:10.0.0.1', 'refused'],
  ['::ffff:169.254.169.254', 'refused'],
  ['::ffff:ffff:ffff', 'refused'],
  ['::ffff:8.8.8.8', 'allowed'],
  ['64:ff9b::', 'refused'],
  ['64:ff9b::a00:1', 'refused'],
  ['64:ff9b::169.254.169.254', 'refused'],
  ['64:ff9b::ffff:ffff', 'refused'],
  ['64:ff9b::8.8.8.8', 'allowed'],
  ['64:ff9b::1:0:0', 'allowed'],
];

const literal = (address: string) => (address.includes(':') ? `https://[${address}]/hook` : `https://${address}/hook`);
const noDns: ResolveHost = async () => {
  throw new Error('DNS must not be asked');
};

async function verdictOf(address: string): Promise<Verdict> {
  const byName = await checkWebhookUrl('https://hooks.example.com/', strict(resolvesTo(address)));
  const byLiteral = await checkWebhookUrl(literal(address), strict(noDns));
  // The two ways of naming an address must agree.
  expect(byLiteral === null, `${address} named literally or by a host name`).toBe(byName === null);
  if (byName !== null) expect(byName).toMatch(/^must not point to a private, loopback, link-local or otherwise internal address/);
  return byName === null ? 'allowed' : 'refused';
}

describe('the blocked address ranges', () => {
  it('are the table below, whose first, last and neighbouring addresses are those of each range', () => {
    const listed = [...BLOCKED_IPV4_RANGES, ...BLOCKED_IPV6_RANGES].map(([network, prefix]) => `${network}/${prefix}`);
    expect(RANGES.map(([cidr]) => cidr)).toEqual(listed);
    for (const [cidr, first, last, below, above] of RANGES) {
      const [network = '', prefix = ''] = cidr.split('/');
      const family = network.includes(':') ? 6 : 4;
      const bits = BigInt(family === 4 ? 32 : 128);
      const size = 1n << (bits - BigInt(prefix));
      expect(toNumber(first), cidr).toBe(toNumber(network));
      expect(toNumber(last), cidr).toBe(toNumber(network) + size - 1n);
      expect(below === null ? null : toNumber(below[0]), cidr).toBe(toNumber(first) === 0n ? null : toNumber(first) - 1n);
      expect(above === null ? null : toNumber(above[0]), cidr).toBe(toNumber(last) === (1n << bits) - 1n ? null : toNumber(last) + 1n);
      const range = new BlockList();
      range.addSubnet(network, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
      expect(range.check(fromNumber(toNumber(first), family), family === 4 ? 'ipv4' : 'ipv6')).toBe(true);
    }
  });

  it.each(RANGES.map(([cidr, first, last, below, above]) => [cidr, first, last, below, above] as const))(
    '%s: its first (%s) and last (%s) addresses are refused, its neighbours judged on their own',
    async (_cidr, first, last, below, above) => {
      expect(await verdictOf(first)).toBe('refused');
      expect(await verdictOf(last)).toBe('refused');
      if (below !== null) expect(await verdictOf(below[0])).toBe(below[1]);
      if (above !== null) expect(await verdictOf(above[0])).toBe(above[1]);
    },
  );

  it.each(CARRIERS)('judges %s by the IPv4 address it carries: %s', async (address, verdict) => {
    expect(await verdictOf(address)).toBe(verdict);
  });

  it('refuses a host when any of its addresses is refused, whichever family comes first', async () => {
    for (const addresses of [
      ['2606:2800:220:1:248:1893:25c8:1946', '2002:a00:1::1'],
      ['93.184.215.14', '64:ff9b:1::a00:1'],
      ['::ffff:0:a00:1', '93.184.215.14'],
    ]) {
      expect(await checkWebhookUrl('https://hooks.example.com/', strict(resolvesTo(...addresses))), addresses.join(' ')).toMatch(/must not point to/);
    }
  });
});

describe('the allowed ports', () => {
  it.each([
    ['https://hooks.example.com/', null],
    ['https://hooks.example.com:443/', null],
    ['https://hooks.example.com:0443/', null],
    ['https://hooks.example.com:80/', null],
    ['https://hooks.example.com:8443/', 'must use port 443 or 80 (not 8443)'],
    ['https://hooks.example.com:444/', 'must use port 443 or 80 (not 444)'],
    ['https://hooks.example.com:79/', 'must use port 443 or 80 (not 79)'],
    ['https://hooks.example.com:22/', 'must use port 443 or 80 (not 22)'],
    ['https://hooks.example.com:0/', 'must use port 443 or 80 (not 0)'],
    ['https://hooks.example.com:65535/', 'must use port 443 or 80 (not 65535)'],
    ['https://[2606:2800:220:1:248:1893:25c8:1946]:6379/', 'must use port 443 or 80 (not 6379)'],
  ])('by default (443 and 80): %s', async (url, problem) => {
    expect(await checkWebhookUrl(url, strict())).toBe(problem);
  });

  it.each([
    ['https://hooks.example.com:8000/', null],
    ['https://hooks.example.com:8999/', null],
    ['https://hooks.example.com:7999/', 'must use port 443 or 8000-8999 (not 7999)'],
    ['https://hooks.example.com:9000/', 'must use port 443 or 8000-8999 (not 9000)'],
    ['https://hooks.example.com/', null],
    ['https://hooks.example.com:80/', 'must use port 443 or 8000-8999 (not 80)'],
  ])('as a setting says (443,8000-8999): %s', async (url, problem) => {
    expect(await checkWebhookUrl(url, { ...strict(), allowedPorts: [[443, 443], [8000, 8999]] })).toBe(problem);
  });

  it('refuses a port before asking DNS', async () => {
    expect(await checkWebhookUrl('https://hooks.example.com:25/', strict(noDns))).toBe('must use port 443 or 80 (not 25)');
  });

  it('refuses at send time too, not retryable', async () => {
    const refused = vetWebhookTarget('https://hooks.example.com:8443/', strict());
    await expect(refused).rejects.toBeInstanceOf(WebhookTargetRefused);
    await expect(refused).rejects.toMatchObject({ retryable: false, message: 'webhook URL must use port 443 or 80 (not 8443)' });
  });
});

describe('the addresses vetted for sending', () => {
  it('are every address the host resolves to, in DNS order, both families, each once', async () => {
    const resolve = resolvesTo('2606:2800:220:1:248:1893:25c8:1946', '93.184.215.14', '2606:2800:220:1:248:1893:25c8:1946');
    expect(await vetWebhookTarget('https://hooks.example.com/', strict(resolve))).toEqual({
      addresses: [
        { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
        { address: '93.184.215.14', family: 4 },
      ],
    });
  });

  it('are the literal address of an IP-literal URL', async () => {
    expect(await vetWebhookTarget('https://[2606:2800:220:1:248:1893:25c8:1946]/', strict(noDns))).toEqual({ addresses: [{ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }] });
  });
});

describe('the WEBHOOK_ALLOWED_PORTS setting', () => {
  it('is 443 and 80 when unset or empty, for the API and the notifier alike', () => {
    for (const load of [loadApiConfig, loadNotifierConfig]) {
      expect(load({}).webhookAllowedPorts).toEqual([[443, 443], [80, 80]]);
      expect(load({ WEBHOOK_ALLOWED_PORTS: '' }).webhookAllowedPorts).toEqual([[443, 443], [80, 80]]);
      expect(load({ WEBHOOK_ALLOWED_PORTS: '443,8000-8999' }).webhookAllowedPorts).toEqual([[443, 443], [8000, 8999]]);
    }
  });

  it('stops the start with one line naming the setting when it is not a port list', () => {
    for (const load of [loadApiConfig, loadNotifierConfig]) {
      expect(() => load({ WEBHOOK_ALLOWED_PORTS: '443,70000' })).toThrow(ConfigError);
      expect(() => load({ WEBHOOK_ALLOWED_PORTS: '443,70000' })).toThrow(
        'WEBHOOK_ALLOWED_PORTS must be a comma-separated list of ports (1-65535) or port ranges such as 443,80 or 8000-8999 (got "443,70000")',
      );
    }
  });
});
