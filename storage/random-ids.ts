/**
 * Random identifiers: opaque, URL-safe (base62) and unguessable, from the OS's CSPRNG. Rule and
 * alert ids are 22 characters (≈ 131 bits).
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 22;

/** What an id of this service looks like; anything else cannot name a stored item. */
export const ID_PATTERN = /^[A-Za-z0-9]{22}$/;

/** Uniformly random base62 text (randomInt avoids the modulo bias of `byte % 62`). */
export function randomBase62(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

export function newId(): string {
  return randomBase62(ID_LENGTH);
}

export function isId(text: string): boolean {
  return ID_PATTERN.test(text);
}
