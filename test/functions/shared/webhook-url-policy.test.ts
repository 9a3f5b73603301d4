import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, classifyAddress, type ResolveHost } from '../../../functions/shared/webhook-url-policy';

const resolvesTo =
  (...addresses: string[]): ResolveHost =>
  async () =>
    addresses;
const strict = (resolve: ResolveHost = resolvesTo('93.184.215.14')) => ({ allowLoopback: false, resolve });

describe('webhook URL policy', () => {
  it('accepts https to a public address', async () => {
    expect(await checkWebhookUrl('https://hooks.example.com/alerts?x=1', strict())).toBeNull();
    expect(await checkWebhookUrl('https://93.184.215.14:8443/hook', strict())).toBeNull();
    expect(await checkWebhookUrl('https://[2606:2800:220:1:248:1893:25c8:1946]/hook', strict())).toBeNull();
  });

  it('requires https', async () => {
    expect(await checkWebhookUrl('http://hooks.example.com/', strict())).toBe('must use https');
    expect(await checkWebhookUrl('ftp://hooks.example.com/', strict())).toBe('must use https');
  });

  it('refuses credentials in the URL', async () => {
    expect(await checkWebhookUrl('https://user:pass@hooks.example.com/', strict())).toMatch(/user name or password/);
  });

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
    const local = { allowLoopback: true, resolve: resolvesTo('127.0.0.1') };
    expect(await checkWebhookUrl('http://localhost:9000/hook', local)).toBeNull();
    expect(await checkWebhookUrl('http://[::1]:9000/hook', local)).toBeNull();
    expect(await checkWebhookUrl('http://10.0.0.1/hook', local)).toMatch(/must not point to/);
  });

  it('classifies addresses', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('127.0.0.2')).toBe('loopback');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('64:ff9b::8.8.8.8')).toBe('public');
    expect(classifyAddress('2001:db8::1')).toBe('public');
  });
});
