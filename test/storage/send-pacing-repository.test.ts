/**
 * The notifiers' pacing lanes on DynamoDB Local: a burst of `capacity`, then one slot per
 * `periodMs / capacity`, distinct slots for concurrent reservations (many instances at once), and
 * a hold-off that no reservation gets past. Times are given, so the slots are exact.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PaceLane } from '../../core/channels/definition';
import { holdOffPaceLane, reservePaceSlot } from '../../storage/send-pacing-repository';
import { useDynamoDbTable } from '../support/dynamodb';

const table = useDynamoDbTable();
const T = Date.UTC(2026, 11, 4, 15);
const lane = (capacity: number, periodMs: number): PaceLane => ({ key: `test:${randomUUID()}`, limit: { capacity, periodMs } });

describe('reservePaceSlot', () => {
  it('gives a chat (1 a second) one slot a second, each reservation its own', async () => {
    const chat = lane(1, 1_000);
    const slots = [];
    for (let i = 0; i < 4; i += 1) slots.push(await reservePaceSlot(table.db, chat, T));
    expect(slots).toEqual([T, T + 1_000, T + 2_000, T + 3_000]);
  });

  it('lets a burst of capacity go at once, then spaces the rest evenly', async () => {
    const bot = lane(30, 1_000);
    const slots = [];
    for (let i = 0; i < 33; i += 1) slots.push(await reservePaceSlot(table.db, bot, T));
    expect(slots.slice(0, 30).every((slot) => slot === T)).toBe(true);
    expect(slots.slice(30).map((slot) => Math.round(slot - T))).toEqual([33, 67, 100]);
  });

  it('gives concurrent reservations distinct slots (instances racing on one chat)', async () => {
    const chat = lane(1, 1_000);
    const slots = await Promise.all(Array.from({ length: 12 }, () => reservePaceSlot(table.db, chat, T)));
    expect([...slots].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => T + i * 1_000));
  });

  it('frees the lane once its slots have passed', async () => {
    const chat = lane(1, 1_000);
    expect(await reservePaceSlot(table.db, chat, T)).toBe(T);
    expect(await reservePaceSlot(table.db, chat, T + 5_000)).toBe(T + 5_000);
    expect(await reservePaceSlot(table.db, chat, T + 5_000)).toBe(T + 6_000);
  });
});

describe('holdOffPaceLane', () => {
  it('puts every slot after the hold-off, then paces as before', async () => {
    const chat = lane(1, 1_000);
    await holdOffPaceLane(table.db, chat, T + 7_000);
    expect(await reservePaceSlot(table.db, chat, T)).toBe(T + 7_000);
    expect(await reservePaceSlot(table.db, chat, T)).toBe(T + 8_000);
  });

  it('never shortens a longer hold-off already stored', async () => {
    const chat = lane(1, 1_000);
    await holdOffPaceLane(table.db, chat, T + 9_000);
    await holdOffPaceLane(table.db, chat, T + 2_000);
    expect(await reservePaceSlot(table.db, chat, T)).toBe(T + 9_000);
  });
});
