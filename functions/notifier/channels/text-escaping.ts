/**
 * Escaping of user-supplied text (rule messages, notes) for the two markup dialects we send.
 * Email HTML gets the full set; Telegram's HTML parse mode only knows `&lt; &gt; &amp; &quot;`
 * and wants exactly `<`, `>` and `&` replaced outside tags (its own rules, core.telegram.org/bots/api#html-style).
 */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and attribute values (email bodies). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** For text inside a Telegram `parse_mode: "HTML"` message. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/[&<>]/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Header-safe single line: a subject must not carry line breaks (header injection). */
export function singleLine(text: string): string {
  return text.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();
}
