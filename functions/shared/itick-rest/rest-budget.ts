/**
 * iTick's REST budget as one process sees it: `ITICK_REST_PER_MINUTE` calls per token per
 * rolling minute, shared by every caller in every process through one DynamoDB item
 * (storage/rest-budget-repository.ts), with an in-process queue in front of it.
 *
 * - Callers wait in order. Each says how long it may wait (`maxWaitMs`): a caller on the hot path
 *   (the evaluator's warm-up) asks with 0 and is refused at once when the budget is known to be
 *   spent or paused, and goes on without the call; a caller that can wait (history, backtests)
 *   queues until a slot frees or its own deadline cannot be met.
 * - What the store said last (spent until T, paused until T) is remembered here, so a spent
 *   budget costs no DynamoDB read per caller: one process asks the store at most about once per
 *   slot that frees, plus once per call it is granted.
 * - A 429 from iTick pauses the budget ({@link RestBudget.pause}): stored on the item, so every
 *   other process holds too until the `Retry-After` time. Server errors and timeouts are not
 *   budget events: the call was counted when it was granted, and that is all.
 */
import { createHash } from 'node:crypto';
import { decideSlot, pauseRestBudget, takeRestSlot, type RestBudgetState, type RestWindow, type SlotDecision } from '../../../storage/rest-budget-repository';
import type { Db } from '../../../storage/dynamodb-client';

/** Where the budget's calls are counted: DynamoDB in every deployment, memory for a single process. */
export interface RestBudgetStore {
  take(now: number): Promise<SlotDecision>;
  pause(until: number, now: number): Promise<void>;
}

/** Time, injectable so tests can run minutes in microseconds. */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Real time. A caller waiting for the budget keeps its process alive, as any awaited timer does (a script must not exit mid-wait). */
export const REAL_CLOCK: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Why a call was refused: the window is full (`spent`) or iTick answered 429 (`paused`). */
export type BudgetRefusal = { granted: false; retryAt: number; why: 'spent' | 'paused' };
export type BudgetAnswer = { granted: true } | BudgetRefusal;

/** What the budget is, for logs and metrics; the store does the counting (with the same window). */
export interface RestBudgetOptions {
  /** Calls per window (`ITICK_REST_PER_MINUTE`). */
  perMinute: number;
  /** The window; a minute except in tests. */
  windowMs?: number;
}

interface Waiter {
  deadline: number;
  resolve: (answer: BudgetAnswer) => void;
  reject: (error: unknown) => void;
}

/**
 * A token's REST budget in this process.
 * @example
 * const budget = new RestBudget(dynamoRestBudgetStore(db, () => hashOf(token), { limit: 5, windowMs: 60_000 }), { perMinute: 5 });
 * const answer = await budget.acquire(0); // warm-up: no waiting
 * if (answer.granted) await fetch(...);
 */
export class RestBudget {
  private readonly queue: Waiter[] = [];
  private pumping = false;
  /** The store's last word: no call can go before this (epoch ms; 0: ask). */
  private notBefore = 0;
  private why: 'spent' | 'paused' = 'spent';

  constructor(
    private readonly store: RestBudgetStore,
    readonly options: RestBudgetOptions,
    private readonly clock: BudgetClock = REAL_CLOCK,
  ) {}

  /**
   * Takes one call, waiting behind earlier callers for at most `maxWaitMs` of budget time.
   * Resolves refused (never throws) when the budget cannot serve it in time; rejects only when
   * the store cannot be read.
   */
  acquire(maxWaitMs: number): Promise<BudgetAnswer> {
    const deadline = this.clock.now() + Math.max(0, maxWaitMs);
    if (this.notBefore > deadline) return Promise.resolve(this.refusal());
    return new Promise<BudgetAnswer>((resolve, reject) => {
      this.queue.push({ deadline, resolve, reject });
      void this.pump();
    });
  }

  /** Holds every caller, here and in every other process, until `until` (a 429's `Retry-After`). */
  async pause(until: number): Promise<void> {
    if (until > this.notBefore) {
      this.notBefore = until;
      this.why = 'paused';
    }
    await this.store.pause(until, this.clock.now());
  }

  /** Callers queued now. */
  get waiting(): number {
    return this.queue.length;
  }

  private refusal(): BudgetRefusal {
    return { granted: false, retryAt: this.notBefore, why: this.why };
  }

  /**
   * Serves the queue head first. A waiter is refused only when the budget's known next slot lies
   * beyond its deadline — not because earlier callers' store round trips took time: a zero-wait
   * caller behind a granted one still gets its turn at the store.
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let head = this.queue[0]; head !== undefined; head = this.queue[0]) {
        const now = this.clock.now();
        if (this.notBefore > now) {
          this.refuseUnreachable();
          const next = this.queue[0];
          if (next === undefined) break;
          await this.clock.sleep(this.notBefore - now);
          continue;
        }
        let decision: SlotDecision;
        try {
          decision = await this.store.take(now);
        } catch (error) {
          this.queue.shift();
          head.reject(error);
          continue;
        }
        if (decision.granted) {
          this.queue.shift();
          head.resolve({ granted: true });
        } else {
          this.notBefore = Math.max(this.notBefore, decision.retryAt);
          this.why = decision.why;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Refuses, in order, every waiter whose deadline comes before the budget's next slot. */
  private refuseUnreachable(): void {
    const kept: Waiter[] = [];
    for (const waiter of this.queue.splice(0)) {
      if (waiter.deadline < this.notBefore) waiter.resolve(this.refusal());
      else kept.push(waiter);
    }
    this.queue.push(...kept);
  }
}

/**
 * The hash a token's budget item is keyed by: SHA-256 of a label and the token, 32 hex digits.
 * The token itself is never stored, logged or put in a key.
 */
export function restBudgetTokenHash(token: string): string {
  return createHash('sha256').update(`stock-alerts itick-rest-budget\n${token}`).digest('hex').slice(0, 32);
}

/** The budget shared through the table: every process with the same token counts against one item. */
export function dynamoRestBudgetStore(db: Db, tokenHash: () => Promise<string>, window: RestWindow): RestBudgetStore {
  return {
    take: async (now) => takeRestSlot(db, await tokenHash(), window, now),
    pause: async (until, now) => pauseRestBudget(db, await tokenHash(), until, now),
  };
}

/** A budget counted in this process only (tests, and tools that run alone). */
export class MemoryRestBudgetStore implements RestBudgetStore {
  readonly state: RestBudgetState = { grants: [], pausedUntil: 0 };
  /** Calls granted in all. */
  taken = 0;

  constructor(private readonly window: RestWindow) {}

  async take(now: number): Promise<SlotDecision> {
    const decision = decideSlot(this.state, this.window, now);
    if (decision.granted) {
      this.state.grants = decision.grants;
      this.taken += 1;
    }
    return decision;
  }

  async pause(until: number): Promise<void> {
    this.state.pausedUntil = Math.max(this.state.pausedUntil, until);
  }
}
