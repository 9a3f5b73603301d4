/**
 * The owner's rules, with edit, pause / resume and delete (asked once more before it happens).
 * The feed's verdict shows as badges: "invalid symbol" (iTick's refusal as its tooltip, with a
 * retry: any change makes the feed ask iTick again) and "warming from live data".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Rule } from '../../../core/rule-model';
import { conditionText, formatDateTime } from '../format';
import { SymbolName } from './symbol-name';

export interface RulesTableProps {
  rules: readonly Rule[] | null;
  onEdit(rule: Rule): void;
  onSetStatus(rule: Rule, status: 'active' | 'paused'): Promise<void>;
  onDelete(rule: Rule): Promise<void>;
  onShowChart(symbol: string): void;
}

function channelText(rule: Rule): string {
  if (rule.channels.length === 0) return 'dashboard only';
  return rule.channels.map((channel) => channel.type).join(', ');
}

/** What a status badge says: the status in words. */
const STATUS_TEXT: Record<Rule['status'], string> = {
  active: 'active',
  paused: 'paused',
  triggered: 'triggered',
  expired: 'expired',
  invalid_symbol: 'invalid symbol',
};

function warmUpText(warmUp: NonNullable<Rule['warmUp']>): string {
  const since = warmUp.since === '' ? '' : ` since ${formatDateTime(warmUp.since)}`;
  return `${warmUp.intervals.join(', ')} bars fill from live trades${since}: ${warmUp.reason}. Indicators hold once enough bars have closed.`;
}

function StatusBadges({ rule }: { rule: Rule }) {
  const invalidHelp = rule.status === 'invalid_symbol' ? `${rule.statusMessage ?? 'iTick does not know this symbol'}. Edit the symbol, or retry.` : undefined;
  return (
    <>
      <span class={`badge status ${rule.status}`} title={invalidHelp}>
        {STATUS_TEXT[rule.status] ?? rule.status}
      </span>
      {invalidHelp !== undefined && <span class="visually-hidden">: {invalidHelp}</span>}
      {rule.warmUp !== null && (
        <>
          {' '}
          <span class="badge warming" title={warmUpText(rule.warmUp)}>
            warming from live data
          </span>
          <span class="visually-hidden">: {warmUpText(rule.warmUp)}</span>
        </>
      )}
    </>
  );
}

function RuleRow({ rule, onEdit, onSetStatus, onDelete, onShowChart }: Omit<RulesTableProps, 'rules'> & { rule: Rule }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Keyboard focus follows the buttons that replace each other.
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (asked.current) deleteButton.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };
  // An invalid_symbol rule is active as stored: it pauses like one, and a retry resumes it.
  const paused = rule.status !== 'active' && rule.status !== 'invalid_symbol';
  const label = `${rule.symbol} ${conditionText(rule.condition)}`;
  return (
    <tr data-rule-id={rule.id} class={`status-${rule.status}`}>
      <th scope="row" data-label="Symbol">
        <button type="button" class="link" onClick={() => onShowChart(rule.symbol)} title={`Show ${rule.symbol} on the chart`}>
          <SymbolName symbol={rule.symbol} />
        </button>
      </th>
      <td data-label="Condition">
        {conditionText(rule.condition)}
        {rule.note !== null && rule.note !== '' && <div class="muted small">{rule.note}</div>}
      </td>
      <td data-label="Trigger">
        {rule.trigger}
        {rule.trigger !== 'once' && <span class="muted small"> · {rule.cooldownSeconds} s cooldown</span>}
      </td>
      <td data-label="Channels">{channelText(rule)}</td>
      <td data-label="Status">
        <StatusBadges rule={rule} />
      </td>
      <td data-label="Fired">
        {rule.triggerCount}×{rule.lastTriggeredAt !== null && <div class="muted small">last {formatDateTime(rule.lastTriggeredAt)}</div>}
      </td>
      <td data-label="Actions" class="actions">
        {confirming ? (
          <div role="group" aria-label={`Delete the rule ${label}?`} class="confirm">
            <span>Delete?</span>
            <button type="button" class="danger" ref={confirmButton} disabled={busy} onClick={() => void run(() => onDelete(rule))}>
              Delete<span class="visually-hidden"> the rule {label}</span>
            </button>
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
              Keep
            </button>
          </div>
        ) : (
          <>
            <button type="button" onClick={() => onEdit(rule)}>
              Edit<span class="visually-hidden"> the rule {label}</span>
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await onSetStatus(rule, paused ? 'active' : 'paused');
                  setBusy(false);
                })
              }
            >
              {paused ? 'Resume' : 'Pause'}
              <span class="visually-hidden"> the rule {label}</span>
            </button>
            {rule.status === 'invalid_symbol' && (
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(async () => {
                    await onSetStatus(rule, 'active');
                    setBusy(false);
                  })
                }
              >
                Retry<span class="visually-hidden"> the symbol of the rule {label}</span>
              </button>
            )}
            <button type="button" ref={deleteButton} onClick={() => setConfirming(true)}>
              Delete<span class="visually-hidden"> the rule {label}</span>
            </button>
          </>
        )}
        {error !== null && (
          <p class="error small" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

export function RulesTable({ rules, ...actions }: RulesTableProps) {
  if (rules === null) return <p class="empty">Loading…</p>;
  if (rules.length === 0) return <p class="empty">No rules yet. “New rule” creates one.</p>;
  return (
    <div class="table-scroll">
      <table class="rules">
        <caption class="visually-hidden">Your alert rules</caption>
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Condition</th>
            <th scope="col">Trigger</th>
            <th scope="col">Channels</th>
            <th scope="col">Status</th>
            <th scope="col">Fired</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...rules]
            .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.createdAt.localeCompare(b.createdAt))
            .map((rule) => (
              <RuleRow key={rule.id} rule={rule} {...actions} />
            ))}
        </tbody>
      </table>
    </div>
  );
}
