/**
 * Runs the market simulator on its own: `npm run simulator -- [options]`.
 * Prints `market simulator listening on ws://HOST:PORT/stock` once it accepts connections (the
 * local stack and the benchmark read the URL from that line), and stops on SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { MarketSimulator } from './market-simulator';

const usage = `usage: npm run simulator -- [--port N] [--host H] [--rate TICKS_PER_SECOND_PER_SYMBOL] [--quote-every-ms MS]
  [--tokens a,b] [--limit SYMBOLS_PER_CONNECTION] [--seed N] [--string-numbers] [--no-header-auth] [--full-speed]`;

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
});
if (values['full-speed']) market.startFullSpeed();
console.log(`market simulator listening on ${market.url}`);

const stop = () => {
  void market.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
