/**
 * A throwaway self-signed certificate for a test host name, made by the openssl command line at
 * test time (no key material is kept in the repository). Null when openssl is not installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function selfSignedCertificate(hostname: string): { key: string; cert: string } | null {
  const dir = mkdtempSync(join(tmpdir(), 'delivery-tls-'));
  try {
    const result = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${hostname}`,
        '-addext', `subjectAltName=DNS:${hostname}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    if (result.status !== 0) return null;
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
