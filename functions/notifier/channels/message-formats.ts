/**
 * What each channel shows for an alert: email subject and bodies, the Telegram text, the webhook
 * body and the dashboard message. Pure functions of the alert (and, for the webhook, the send
 * time), so the formats can be read, tested and documented (docs/notifications.md) in one place.
 * Each part a channel's definition limits (core/channels/<type>.ts `message`) is kept within it:
 * user text too long for it is cut with an ellipsis (text-limits.ts).
 */
import { dashboardChannel } from '../../../core/channels/dashboard';
import { emailChannel } from '../../../core/channels/email';
import { telegramChannel } from '../../../core/channels/telegram';
import { webhookChannel } from '../../../core/channels/webhook';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import { describeCondition, formatNumber } from '../../../core/engine';
import type { Alert, Condition, Delivery } from '../../../core/rule-model';
import { escapeHtml, escapeTelegramHtml, singleLine } from './text-escaping';
import { cutToFit, fitJson } from './text-limits';

const hasNote = (note: string | null): note is string => note !== null && note !== '';

/** `AAPL$US crossed above 200 — 200.5`, on one line, at most 200 characters. */
export function emailSubject({ alert }: DeliverableAlert): string {
  return cutToFit(singleLine(`${alert.symbol} ${describeCondition(alert.condition)} — ${formatNumber(alert.price)}`), emailChannel.message.subject.max);
}

function detailRows({ alert, note }: DeliverableAlert): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Symbol', alert.symbol],
    ['Price', formatNumber(alert.price)],
    ['Condition', describeCondition(alert.condition)],
    ['Tick time', alert.tickAt],
    ['Triggered', alert.triggeredAt],
  ];
  if (hasNote(note)) rows.push(['Note', note]);
  return rows;
}

function footerText({ alert }: DeliverableAlert): string {
  return `Sent by stock-alerts for rule ${alert.ruleId} (alert ${alert.id}). Pause or delete the rule to stop these emails.`;
}

export function emailText(a: DeliverableAlert): string {
  const width = Math.max(...detailRows(a).map(([label]) => label.length)) + 2;
  const rows = detailRows(a).map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
  return [a.alert.message, '', ...rows, '', '-- ', footerText(a), ''].join('\n');
}

export function emailHtml(a: DeliverableAlert): string {
  const rows = detailRows(a)
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555;font-weight:normal">${escapeHtml(label)}</th>` +
        `<td style="padding:2px 0;white-space:pre-wrap">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(emailSubject(a)) + '</title></head>',
    '<body style="font-family:system-ui,sans-serif;font-size:15px;color:#111">',
    `<p style="font-size:17px;white-space:pre-wrap">${escapeHtml(a.alert.message)}</p>`,
    `<table cellspacing="0" cellpadding="0">${rows}</table>`,
    `<hr style="border:none;border-top:1px solid #ddd;margin:16px 0"><p style="font-size:12px;color:#777">${escapeHtml(footerText(a))}</p>`,
    '</body></html>',
  ].join('\n');
}

/** The email's parts: the subject within its limit (the bodies are bounded by the rule schema and SES's 10 MB). */
export function emailMessage(a: DeliverableAlert): { subject: string; text: string; html: string } {
  return { subject: emailSubject(a), text: emailText(a), html: emailHtml(a) };
}

/**
 * The Telegram message (parse_mode HTML): symbol and price in bold, the rule's message, the note in
 * italics, the rule id last. Every piece of user text goes through escapeTelegramHtml. At most
 * 4096 characters counted on the HTML as sent (so within Telegram's limit, which counts the text
 * after parsing): a message too long is cut, and the note after it, with an ellipsis.
 */
export function telegramText({ alert, note }: DeliverableAlert): string {
  const lines = (message: string, shownNote: string | null) => {
    const all = [`<b>${escapeTelegramHtml(`${alert.symbol} · ${formatNumber(alert.price)}`)}</b>`, message];
    if (shownNote !== null) all.push(`<i>${shownNote}</i>`);
    all.push(`rule <code>${escapeTelegramHtml(alert.ruleId)}</code>`);
    return all.join('\n');
  };
  const room = telegramChannel.message.text.max - lines('', hasNote(note) ? '' : null).length;
  const message = cutToFit(alert.message, room, escapeTelegramHtml);
  const shownNote = hasNote(note) ? cutToFit(note, room - message.length, escapeTelegramHtml) : '';
  return lines(message, shownNote === '' ? null : shownNote);
}

/** The JSON body of a webhook POST; its exact bytes are what X-Signature signs. */
export interface WebhookPayload {
  alertId: string;
  ruleId: string;
  symbol: string;
  price: number;
  condition: Condition;
  message: string;
  tickAt: string;
  triggeredAt: string;
  sentAt: string;
}

export function webhookPayload({ alert }: DeliverableAlert, sentAt: number): WebhookPayload {
  return {
    alertId: alert.id,
    ruleId: alert.ruleId,
    symbol: alert.symbol,
    price: alert.price,
    condition: alert.condition,
    message: alert.message,
    tickAt: alert.tickAt,
    triggeredAt: alert.triggeredAt,
    sentAt: new Date(sentAt).toISOString(),
  };
}

/** The webhook body as sent: {@link webhookPayload}'s JSON in at most 64 KiB, its message cut to fit. */
export function webhookBody(a: DeliverableAlert, sentAt: number): string {
  const payload = webhookPayload(a, sentAt);
  return fitJson((message) => ({ ...payload, message }), payload.message, webhookChannel.message.body.max);
}

/**
 * Pushed to the owner's open dashboards: the alert as `GET /alerts` shows it, with its deliveries
 * as they stood when the push was read (the other channels run at the same time); each delivery's
 * later outcome follows as a {@link DashboardDeliveryMessage}.
 */
export interface DashboardAlertMessage {
  type: 'alert';
  alert: Alert;
}

export function dashboardMessage({ alert }: DeliverableAlert): DashboardAlertMessage {
  return { type: 'alert', alert: { ...alert, deliveries: [...alert.deliveries] } };
}

/** The dashboard push as sent: {@link dashboardMessage}'s JSON within the management API's 128 KiB, its message cut to fit. */
export function dashboardBody(a: DeliverableAlert): string {
  const pushed = dashboardMessage(a);
  return fitJson((message) => ({ ...pushed, alert: { ...pushed.alert, message } }), pushed.alert.message, dashboardChannel.message.body.max);
}

/**
 * Pushed to the owner's open dashboards when a delivery's attempt ended: the delivery at `index`
 * of the alert's `deliveries`, as `GET /alerts` now shows it (`pending` with an `error`: a retry
 * is scheduled).
 */
export interface DashboardDeliveryMessage {
  type: 'delivery';
  alertId: string;
  index: number;
  delivery: Delivery;
}

export function deliveryUpdateMessage(alertId: string, index: number, delivery: Delivery): DashboardDeliveryMessage {
  return { type: 'delivery', alertId, index, delivery };
}
