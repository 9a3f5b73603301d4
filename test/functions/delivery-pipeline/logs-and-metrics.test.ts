/**
 * What operators see of a delivery: structured JSON log lines (Powertools Logger) that name the
 * rule, the symbol, the channel and the latency from tick time to delivery, and CloudWatch
 * embedded-metric-format documents (Powertools Metrics) with the delivery counts per channel.
 *
 * The functions run in-process and write to this process's stdout, as they write to CloudWatch
 * Logs in AWS; the test reads them there. Logs at INFO and metrics on (the local stack keeps
 * only warnings and no EMF unless told otherwise).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/delivery-webhook-receiver';
import { Pipeline, uniqueEmail, uniqueSymbol } from '../../support/pipeline-stack';

/** Every JSON document the functions printed, one per line. */
const printed: Record<string, unknown>[] = [];
const rawLines: string[] = [];

let pipeline: Pipeline;
let receiver: WebhookReceiver;
beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let other = '';
    for (const line of text.split('\n')) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed !== 'object' || parsed === null) throw new Error('not a document');
        printed.push(parsed as Record<string, unknown>);
        rawLines.push(line);
      } catch {
        if (line !== '') other += `${line}\n`;
      }
    }
    return other === '' ? true : write(other, ...(rest as []));
  });
  pipeline = await Pipeline.start({ env: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' } });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await pipeline?.stop();
  vi.restoreAllMocks();
});

interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

const isEmf = (doc: Record<string, unknown>): doc is EmfDocument => typeof doc._aws === 'object' && doc._aws !== null;
const emfWith = (metric: string) => printed.filter(isEmf).filter((doc) => doc._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === metric)));

describe('logs and metrics of a delivery', () => {
  it('logs each delivery as JSON with rule id, symbol, channel and tick-to-delivery latency, and prints EMF metrics per channel', async () => {
    const email = uniqueEmail();
    const rule = await pipeline.createRule({
      symbol: uniqueSymbol(),
      condition: { type: 'crosses_above', value: 200 },
      channels: [
        { type: 'email', to: email },
        { type: 'webhook', url: `http://127.0.0.1:${receiver.port}/hook` },
      ],
    });
    await pipeline.untilRulesLive();
    const event = pipeline.crossing(rule.symbol);
    const tickAt = event.symbols[0]?.points.at(-1)?.[1] ?? Number.NaN;

    await pipeline.evaluate(event);
    await pipeline.untilQueuesDrained();
    const deliveredWithin = Date.now() - tickAt;

    const delivered = printed.filter((line) => line.message === 'alert delivered' && line.ruleId === rule.id);
    expect(delivered.map((line) => line.channel).sort()).toEqual(['email', 'webhook']);
    for (const line of delivered) {
      expect(line).toMatchObject({ level: 'INFO', service: 'stock-alerts', ruleId: rule.id, symbol: rule.symbol, attempts: 1, timestamp: expect.any(String) });
      expect(line.tickToDeliveryMs).toBeTypeOf('number');
      expect(line.tickToDeliveryMs).toBeGreaterThanOrEqual(0);
      expect(line.tickToDeliveryMs).toBeLessThanOrEqual(deliveredWithin);
    }
    const claimed = printed.find((line) => line.message === 'alert claimed' && line.ruleId === rule.id);
    expect(claimed).toMatchObject({ level: 'INFO', symbol: rule.symbol, tickToClaimMs: expect.any(Number) });

    // One EMF document per metric and channel, each with the Channel dimension.
    for (const channel of ['email', 'webhook']) {
      expect(emfWith('DeliveriesSent').filter((doc) => doc.Channel === channel)).toEqual([
        {
          _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'StockAlerts', Dimensions: [['service', 'Channel']], Metrics: [{ Name: 'DeliveriesSent', Unit: 'Count' }] }] },
          service: 'notifier',
          Channel: channel,
          DeliveriesSent: 1,
        },
      ]);
      const [latency, ...more] = emfWith('TickToDeliveryMs').filter((doc) => doc.Channel === channel);
      expect(more).toEqual([]);
      expect(latency).toEqual({
        _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'StockAlerts', Dimensions: [['service', 'Channel']], Metrics: [{ Name: 'TickToDeliveryMs', Unit: 'Milliseconds' }] }] },
        service: 'notifier',
        Channel: channel,
        TickToDeliveryMs: delivered.find((line) => line.channel === channel)?.tickToDeliveryMs,
      });
    }
    expect(emfWith('AlertsClaimed').some((doc) => doc.service === 'evaluator' && doc.AlertsClaimed === 1)).toBe(true);
  });

  it('never prints the API key or the webhook secret', () => {
    const secrets = [pipeline.stack.devApiKey, pipeline.stack.webhookSecret ?? 'no secret'];
    expect(rawLines.length).toBeGreaterThan(0);
    expect(rawLines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
  });
});
