import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  BLOCKED_IPV4_RANGES,
  BLOCKED_IPV6_RANGES,
  DEFAULT_ALLOWED_PORTS,
  DEFAULT_ALLOWED_PORTS_SETTING,
  describeAllowedPorts,
  isAllowedPort,
  parseAllowedPorts,
} from '../../../core/channels/url-destination';

describe('the URL policy as data', () => {
  it.each([
    ['443,80', [[443, 443], [80, 80]]],
    ['443', [[443, 443]]],
    [' 443 , 8000-8999 ', [[443, 443], [8000, 8999]]],
    ['1-65535', [[1, 65_535]]],
    ['8080-8080', [[8080, 8080]]],
  ])('reads the port list %j', (text, ports) => {
    expect(parseAllowedPorts(text)).toEqual({ ok: true, ports });
  });

  it.each(['', ',', '443,', '0', '65536', '80-79', 'https', '443;80', '-443', '1-2-3', '443.0', '123456'])('refuses the port list %j', (text) => {
    expect(parseAllowedPorts(text)).toEqual({ ok: false, problem: expect.stringMatching(/^must be a comma-separated list of ports \(1-65535\)/) });
  });

  it('allows 443 and 80 by default, and the default setting reads as the default list', () => {
    expect(parseAllowedPorts(DEFAULT_ALLOWED_PORTS_SETTING)).toEqual({ ok: true, ports: DEFAULT_ALLOWED_PORTS });
    expect([443, 80].map((port) => isAllowedPort(port, DEFAULT_ALLOWED_PORTS))).toEqual([true, true]);
    expect([1, 79, 81, 442, 444, 8080, 8443, 65_535].filter((port) => isAllowedPort(port, DEFAULT_ALLOWED_PORTS))).toEqual([]);
  });

  it('checks ranges inclusively', () => {
    const ports = [[8000, 8999]] as const;
    expect([7999, 8000, 8999, 9000].map((port) => isAllowedPort(port, ports))).toEqual([false, true, true, false]);
  });

  it('names the allowed ports in words', () => {
    expect(describeAllowedPorts(DEFAULT_ALLOWED_PORTS)).toBe('443 or 80');
    expect(describeAllowedPorts([[443, 443]])).toBe('443');
    expect(describeAllowedPorts([[443, 443], [80, 80], [8000, 8999]])).toBe('443, 80 or 8000-8999');
  });

  it('lists each blocked range once, as a valid network address with a reason', () => {
    for (const [ranges, family, bits] of [
      [BLOCKED_IPV4_RANGES, 4, 32],
      [BLOCKED_IPV6_RANGES, 6, 128],
    ] as const) {
      const cidrs = ranges.map(([network, prefix]) => `${network}/${prefix}`);
      expect(new Set(cidrs).size).toBe(cidrs.length);
      for (const [network, prefix, why] of ranges) {
        expect(isIP(network), network).toBe(family);
        expect(prefix).toBeGreaterThan(0);
        expect(prefix).toBeLessThanOrEqual(bits);
        expect(why.length).toBeGreaterThan(3);
      }
    }
  });

  it('covers the ranges the security review found missing', () => {
    const cidrs = BLOCKED_IPV6_RANGES.map(([network, prefix]) => `${network}/${prefix}`);
    expect(cidrs).toEqual(expect.arrayContaining(['64:ff9b:1::/48', '2002::/16', '::ffff:0:0:0/96']));
  });
});
