/**
 * What each channel shows for an alert: email subject and bodies, the Telegram text, the webhook
 * body and the dashboard message. Pure functions of the notification (and, for the webhook, the
 * send time), so the formats can be read, tested and documented (docs/notifications.md) in one place.
 */
import { describeCondition, formatNumber } from '../../../core/engine';
import type { Condition, Delivery } from '../../../core/rule-model';
import type { AlertNotification } from './notification';
import { escapeHtml, escapeTelegramHtml, singleLine } from './text-escaping';

/** `AAPL$US crossed above 200 — 200.5` */
export function emailSubject(n: AlertNotification): string {
  return singleLine(`${n.symbol} ${describeCondition(n.condition)} — ${formatNumber(n.price)}`);
}

function detailRows(n: AlertNotification): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Symbol', n.symbol],
    ['Price', formatNumber(n.price)],
    ['Condition', describeCondition(n.condition)],
    ['Tick time', n.tickAt],
    ['Triggered', n.triggeredAt],
  ];
  if (n.note !== null && n.note !== '') rows.push(['Note', n.note]);
  return rows;
}

function footerText(n: AlertNotification): string {
  return `Sent by stock-alerts for rule ${n.ruleId} (alert ${n.alertId}). Pause or delete the rule to stop these emails.`;
}

export function emailText(n: AlertNotification): string {
  const width = Math.max(...detailRows(n).map(([label]) => label.length)) + 2;
  const rows = detailRows(n).map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
  return [n.message, '', ...rows, '', '-- ', footerText(n), ''].join('\n');
}

export function emailHtml(n: AlertNotification): string {
  const rows = detailRows(n)
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555;font-weight:normal">${escapeHtml(label)}</th>` +
        `<td style="padding:2px 0;white-space:pre-wrap">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(emailSubject(n)) + '</title></head>',
    '<body style="font-family:system-ui,sans-serif;font-size:15px;color:#111">',
    `<p style="font-size:17px;white-space:pre-wrap">${escapeHtml(n.message)}</p>`,
    `<table cellspacing="0" cellpadding="0">${rows}</table>`,
    `<hr style="border:none;border-top:1px solid #ddd;margin:16px 0"><p style="font-size:12px;color:#777">${escapeHtml(footerText(n))}</p>`,
    '</body></html>',
  ].join('\n');
}

/**
 * The Telegram message (parse_mode HTML): symbol and price in bold, the rule's message, the note in
 * italics, the rule id last. Every piece of user text goes through escapeTelegramHtml.
 */
export function telegramText(n: AlertNotification): string {
  const lines = [`<b>${escapeTelegramHtml(`${n.symbol} · ${formatNumber(n.price)}`)}</b>`, escapeTelegramHtml(n.message)];
  if (n.note !== null && n.note !== '') lines.push(`<i>${escapeTelegramHtml(n.note)}</i>`);
  lines.push(`rule <code>${escapeTelegramHtml(n.ruleId)}</code>`);
  return lines.join('\n');
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

export function webhookPayload(n: AlertNotification, sentAt: number): WebhookPayload {
  return {
    alertId: n.alertId,
    ruleId: n.ruleId,
    symbol: n.symbol,
    price: n.price,
    condition: n.condition,
    message: n.message,
    tickAt: n.tickAt,
    triggeredAt: n.triggeredAt,
    sentAt: new Date(sentAt).toISOString(),
  };
}

/**
 * Pushed to the owner's open dashboards: the alert as `GET /alerts` shows it, with its deliveries
 * as they stood when the push was sent (the other channels run at the same time); each delivery's
 * later outcome follows as a {@link DashboardDeliveryMessage}.
 */
export interface DashboardAlertMessage {
  type: 'alert';
  alert: {
    id: string;
    ruleId: string;
    symbol: string;
    price: number;
    condition: Condition;
    message: string;
    tickAt: string;
    triggeredAt: string;
    deliveries: Delivery[];
  };
}

export function dashboardMessage(n: AlertNotification, deliveries: readonly Delivery[]): DashboardAlertMessage {
  return {
    type: 'alert',
    alert: {
      id: n.alertId,
      ruleId: n.ruleId,
      symbol: n.symbol,
      price: n.price,
      condition: n.condition,
      message: n.message,
      tickAt: n.tickAt,
      triggeredAt: n.triggeredAt,
      deliveries: [...deliveries],
    },
  };
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
