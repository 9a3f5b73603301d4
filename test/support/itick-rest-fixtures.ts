/**
 * The REST fixtures of test/fixtures/itick/ (rest-*.json: iTick's answers as its docs and SDKs
 * print them), read for tests. No server here: unit tests read them too.
 */
import { readFileSync } from 'node:fs';

export interface RestFixture {
  class: string;
  describes: string;
  setup: { request: { method: string; url: string; query: Record<string, string>; headers: Record<string, string> } };
  messages: unknown[];
  expect: Record<string, unknown>;
}

const FIXTURES = new URL('../fixtures/itick/', import.meta.url);

/** A `rest-*.json` fixture by its name without `.json`. */
export function restFixture(name: string): RestFixture {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as RestFixture;
}
