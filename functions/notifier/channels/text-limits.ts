/**
 * Keeping a formatted part within its channel's length limit (core/channels/*.ts `message`): a
 * text too long is cut with an ellipsis (…), never refused. Cuts fall between code points, so a
 * surrogate pair (an emoji) is never split, and before escaping, so an entity is never split.
 */
export const ELLIPSIS = '…';

const unescaped = (text: string) => text;

/**
 * `text` escaped, cut so that it takes at most `max` UTF-16 code units: all of it when it fits,
 * else its longest start that fits with an ellipsis after it; empty when not even that fits.
 * @example cutToFit('a & b', 7, escapeTelegramHtml) // 'a …' ('a &amp;…' would take 8)
 */
export function cutToFit(text: string, max: number, escape: (text: string) => string = unescaped): string {
  const whole = escape(text);
  if (whole.length <= max) return whole;
  const room = max - ELLIPSIS.length;
  if (room < 0) return '';
  let kept = '';
  for (const char of text) {
    const next = kept + escape(char);
    if (next.length > room) break;
    kept = next;
  }
  return kept + ELLIPSIS;
}

/**
 * The JSON of `build(text)` in at most `maxBytes` UTF-8 bytes: `text` whole when it fits, else
 * its longest start (by code points) that fits with an ellipsis. The rest of the value is bounded
 * by the rule schema, so only `text`, the one unbounded part, is cut.
 */
export function fitJson(build: (text: string) => unknown, text: string, maxBytes: number): string {
  const json = (value: string) => JSON.stringify(build(value));
  const whole = json(text);
  if (Buffer.byteLength(whole, 'utf8') <= maxBytes) return whole;
  const chars = [...text];
  // The longest start that fits: binary search on the number of code points kept.
  let low = 0;
  let high = chars.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(json(chars.slice(0, mid).join('') + ELLIPSIS), 'utf8') <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return json(chars.slice(0, low).join('') + ELLIPSIS);
}
