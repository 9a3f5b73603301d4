/**
 * Runs the market simulator on its own: `npm run simulator -- [options]`.
 * Prints `market simulator listening on ws://HOST:PORT/stock` once it accepts connections (the
 * local stack and the benchmark read the URL from that line: the first ws:// URL printed), then
 * one line naming every market's socket and the REST base, and stops on SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { MARKETS, MARKET_INFO } from '../../core/rule-model/market';
import { FEED_SHAPES, type FeedShapes } from './feed-shapes';
import { MarketSimulator, unknownSymbolMatcher } from './market-simulator';

const usage = `usage: npm run simulator -- [--port N] [--host H] [--rate TICKS_PER_SECOND_PER_SYMBOL] [--quote-every-ms MS]
  [--tokens a,b] [--limit SYMBOLS_PER_CONNECTION] [--seed N] [--string-numbers] [--no-header-auth] [--full-speed]
  [--shapes spec|docs] [--unknown 'ZZZ*,crypto:FOO$BA'] [--rest-per-minute N]`;

function options() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        rate: { type: 'string', default: '2' },
        'quote-every-ms': { type: 'string', default: '1000' },
        tokens: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string', default: '1' },
        'string-numbers': { type: 'boolean', default: false },
        'no-header-auth': { type: 'boolean', default: false },
        'full-speed': { type: 'boolean', default: false },
        shapes: { type: 'string', default: 'spec' },
        unknown: { type: 'string' },
        'rest-per-minute': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

const values = options();
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const number = (name: string, value: string | undefined) => {
  const parsed = Number(value);
  if (value === undefined || !Number.isFinite(parsed) || parsed < 0) {
    console.error(`--${name} must be a number ≥ 0\n${usage}`);
    process.exit(2);
  }
  return parsed;
};
const isShapes = (value: string): value is FeedShapes => (FEED_SHAPES as readonly string[]).includes(value);
if (!isShapes(values.shapes)) {
  console.error(`--shapes must be one of ${FEED_SHAPES.join(', ')}\n${usage}`);
  process.exit(2);
}

const market = await MarketSimulator.start({
  host: values.host,
  port: number('port', values.port),
  ticksPerSecond: values['full-speed'] ? 0 : number('rate', values.rate),
  quoteEveryMs: number('quote-every-ms', values['quote-every-ms']),
  tokens: values.tokens === undefined ? 'any' : values.tokens.split(','),
  ...(values.limit === undefined ? {} : { symbolLimit: number('limit', values.limit) }),
  seed: number('seed', values.seed),
  stringNumbers: values['string-numbers'],
  headerAuth: !values['no-header-auth'],
  shapes: values.shapes,
  ...(values.unknown === undefined ? {} : { unknownSymbols: unknownSymbolMatcher(values.unknown.split(',').map((p) => p.trim()).filter((p) => p !== '')) }),
  ...(values['rest-per-minute'] === undefined ? {} : { restPerMinute: number('rest-per-minute', values['rest-per-minute']) }),
});
if (values['full-speed']) market.startFullSpeed();
console.log(`market simulator listening on ${market.url}`);
const legacy = MARKETS.flatMap((m) => (MARKET_INFO[m].legacyPath === undefined ? [] : [`/${MARKET_INFO[m].legacyPath}`]));
console.log(`  ${values.shapes} shapes; sockets ${MARKETS.map((m) => `/${MARKET_INFO[m].path}`).join(' ')} (older docs: ${legacy.join(' ')}); REST ${market.restBase}/<market>/kline|quote`);

const stop = () => {
  void market.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
