/**
 * The signed-in page: watchlist and chart, the alert feed, the rules. It owns the page's state and
 * its two sources: the HTTP API (rules, alerts, every change) and the live socket (pushed alerts,
 * live prices for the symbols that have rules). Deliveries of the alerts on the page are polled
 * from `GET /alerts` while some are still pending.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Rule } from '../../../core/rule-model';
import { applyDeliveryUpdate, hasUnsettled, mergeAlerts, type FeedAlert } from '../alert-list';
import { ApiClient, ApiError, type RuleBody } from '../api-client';
import { LiveSocket, type LiveStatus } from '../live-socket';
import { applySnapshots, type PriceBook } from '../price-book';
import type { RuntimeConfig } from '../runtime-config';
import { AlertFeed } from './alert-feed';
import { PriceChart } from './price-chart';
import { RuleForm } from './rule-form';
import { RulesTable } from './rules-table';
import { Watchlist } from './watchlist';

export interface DashboardProps {
  config: RuntimeConfig;
  apiKey: string;
  /** `reason`: why the user is signed out (shown on the sign-in page). */
  onSignOut(reason?: string): void;
}

type Editing = { mode: 'create'; symbol?: string } | { mode: 'edit'; rule: Rule } | null;

const LIVE_TEXT: Record<LiveStatus, string> = { connecting: 'Connecting…', live: 'Live', offline: 'Offline: reconnecting…' };
/**
 * Deliveries settle within seconds unless they are retried, and the notifier pushes each outcome:
 * while the socket is live the page polls slowly as a safety net; offline, fast at first.
 */
const POLL_FAST_MS = 3_000;
const POLL_SLOW_MS = 30_000;
const FAST_FOR_MS = 120_000;

export function Dashboard({ config, apiKey, onSignOut }: DashboardProps) {
  const api = useMemo(() => new ApiClient(config.apiUrl, apiKey), [config.apiUrl, apiKey]);
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [rulesError, setRulesError] = useState<string | null>(null);
  const [alerts, setAlerts] = useState<FeedAlert[]>([]);
  const [alertsState, setAlertsState] = useState<'loading' | 'loaded' | string>('loading');
  const [prices, setPrices] = useState<PriceBook>(() => new Map());
  const [live, setLive] = useState<LiveStatus>('connecting');
  const [selected, setSelected] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [editing, setEditing] = useState<Editing>(null);
  const socket = useRef<LiveSocket | null>(null);

  /** A 401 means the key was revoked: back to sign-in. Anything else is shown where it happened. */
  const failed = useCallback(
    (error: unknown, show: (message: string) => void) => {
      if (error instanceof ApiError && error.status === 401) onSignOut('Your API key is no longer accepted: sign in again.');
      else show(error instanceof Error ? error.message : String(error));
    },
    [onSignOut],
  );

  const loadRules = useCallback(async () => {
    try {
      setRules(await api.listRules());
      setRulesError(null);
    } catch (error) {
      failed(error, setRulesError);
    }
  }, [api, failed]);

  const loadAlerts = useCallback(async () => {
    try {
      const items = await api.listAlerts();
      setAlerts((current) => mergeAlerts(current, items));
      setAlertsState('loaded');
    } catch (error) {
      failed(error, (message) => setAlertsState(message));
    }
  }, [api, failed]);

  useEffect(() => {
    void loadRules();
    void loadAlerts();
  }, [loadRules, loadAlerts]);

  useEffect(() => {
    const live = new LiveSocket(config.webSocketUrl, apiKey, {
      status: setLive,
      alert: (alert) => {
        setAlerts((current) => mergeAlerts(current, [alert]));
        setAnnouncement(`New alert: ${alert.message}`);
        // The rule's trigger count and status moved with it.
        void loadRules();
      },
      delivery: (update) => setAlerts((current) => applyDeliveryUpdate(current, update)),
      prices: (snapshots) => setPrices((book) => applySnapshots(book, snapshots)),
      reopened: () => void loadAlerts(),
    });
    socket.current = live;
    return () => {
      live.close();
      socket.current = null;
    };
  }, [config.webSocketUrl, apiKey, loadRules, loadAlerts]);

  const symbols = useMemo(() => [...new Set((rules ?? []).map((rule) => rule.symbol))].sort(), [rules]);
  const activeSymbols = useMemo(() => new Set((rules ?? []).filter((rule) => rule.status === 'active').map((rule) => rule.symbol)), [rules]);
  /** Symbols iTick refused, with its message (the feed subscribes them again once a rule on them changes). */
  const invalidSymbols = useMemo(
    () => new Map((rules ?? []).flatMap((rule) => (rule.status === 'invalid_symbol' ? [[rule.symbol, rule.statusMessage ?? 'iTick does not know this symbol'] as const] : []))),
    [rules],
  );
  useEffect(() => socket.current?.watch(symbols), [symbols, live]);
  useEffect(() => {
    if (selected === null || !symbols.includes(selected)) setSelected(symbols[0] ?? null);
  }, [symbols, selected]);

  useEffect(() => {
    if (!hasUnsettled(alerts)) return;
    const now = Date.now();
    // While the socket is live, outcomes are pushed and polling is only a safety net.
    const recent = alerts.some((a) => (a.deliveries === undefined || a.deliveries.some((d) => d.status === 'pending')) && now - Date.parse(a.triggeredAt) < FAST_FOR_MS);
    const timer = setTimeout(() => void loadAlerts(), recent && live !== 'live' ? POLL_FAST_MS : POLL_SLOW_MS);
    return () => clearTimeout(timer);
  }, [alerts, loadAlerts, live]);

  const replaceRule = (rule: Rule) => setRules((current) => (current ?? []).map((r) => (r.id === rule.id ? rule : r)));

  const save = async (body: RuleBody, rule: Rule | null): Promise<void> => {
    if (rule === null) {
      const created = await api.createRule(body);
      setRules((current) => [...(current ?? []), created]);
      setAnnouncement(`Rule created for ${created.symbol}.`);
    } else {
      if (Object.keys(body).length > 0) replaceRule(await api.updateRule(rule.id, body));
      setAnnouncement(`Rule for ${rule.symbol} saved.`);
    }
    setEditing(null);
  };

  const setStatus = async (rule: Rule, status: 'active' | 'paused') => {
    replaceRule(await api.updateRule(rule.id, { status }));
    setAnnouncement(`Rule for ${rule.symbol} ${status === 'paused' ? 'paused' : 'resumed'}.`);
  };

  const remove = async (rule: Rule) => {
    await api.deleteRule(rule.id);
    setRules((current) => (current ?? []).filter((r) => r.id !== rule.id));
    setAnnouncement(`Rule for ${rule.symbol} deleted.`);
  };

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <h1>stock-alerts</h1>
        <nav aria-label="Sections">
          <a href="#watchlist">Watchlist</a>
          <a href="#alerts">Alerts</a>
          <a href="#rules">Rules</a>
        </nav>
        <p class={`live live-${live}`} role="status" aria-label={`Live updates: ${LIVE_TEXT[live]}`}>
          <span class="dot" aria-hidden="true" />
          {LIVE_TEXT[live]}
        </p>
        <button type="button" onClick={() => onSignOut()}>
          Sign out
        </button>
      </header>
      <main id="main" class="grid" tabIndex={-1}>
        <section id="watchlist" class="panel watchlist-panel" aria-labelledby="watchlist-title">
          <h2 id="watchlist-title">Watchlist</h2>
          <Watchlist
            symbols={symbols}
            active={activeSymbols}
            invalid={invalidSymbols}
            loading={rules === null && rulesError === null}
            prices={prices}
            selected={selected}
            onSelect={setSelected}
            onCreate={() => setEditing({ mode: 'create' })}
          />
        </section>
        <section id="chart" class="panel chart-panel" aria-labelledby="chart-title">
          <h2 id="chart-title">{selected === null ? 'Chart' : `${selected} chart`}</h2>
          {selected === null ? (
            <p class="empty">Create a rule to see its symbol’s live chart here.</p>
          ) : (
            <PriceChart symbol={selected} price={prices.get(selected)} rules={(rules ?? []).filter((r) => r.symbol === selected)} />
          )}
        </section>
        <section id="alerts" class="panel alerts-panel" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Alerts</h2>
          <AlertFeed alerts={alerts} state={alertsState} />
        </section>
        <section id="rules" class="panel rules-panel" aria-labelledby="rules-title">
          <div class="panel-head">
            <h2 id="rules-title">Rules</h2>
            <button type="button" class="primary" onClick={() => setEditing({ mode: 'create', ...(selected === null ? {} : { symbol: selected }) })}>
              New rule
            </button>
          </div>
          {rulesError !== null && (
            <p class="error" role="alert">
              Could not load the rules: {rulesError}
            </p>
          )}
          <RulesTable
            rules={rules}
            onEdit={(rule) => setEditing({ mode: 'edit', rule })}
            onSetStatus={setStatus}
            onDelete={remove}
            onShowChart={(symbol) => {
              setSelected(symbol);
              document.getElementById('chart')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
            }}
          />
        </section>
      </main>
      <div class="visually-hidden" aria-live="polite">
        {announcement}
      </div>
      {editing !== null && (
        <RuleForm
          rule={editing.mode === 'edit' ? editing.rule : null}
          initialSymbol={editing.mode === 'create' ? (editing.symbol ?? '') : ''}
          onSave={(body) => save(body, editing.mode === 'edit' ? editing.rule : null)}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );
}
