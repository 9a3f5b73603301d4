/**
 * Create or edit a rule, in a modal dialog (focus stays inside, Escape cancels). The condition's
 * fields come from the rule model (condition-specs.ts, built into `virtual:condition-types`);
 * what the user types is sent as typed and the API's validation errors are shown next to the
 * fields they name (rule-form-model.ts), with focus on the first.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import conditionTypes from 'virtual:condition-types';
import type { Rule, TriggerMode } from '../../../core/rule-model';
import { ApiError, type RuleBody } from '../api-client';
import { fieldLabel, typeLabel, type ConditionFieldSpec } from '../condition-specs';
import { exampleCode, marketInfo, MARKETS, type Market } from '../market-symbols';
import {
  ADDRESS_FORM,
  CHANNEL_KINDS,
  emptyForm,
  errorsByField,
  formFromRule,
  JSON_CONDITION,
  ruleBody,
  rulePatch,
  TRIGGERS,
  type ChannelKind,
  type RuleFormValues,
} from '../rule-form-model';

export interface RuleFormProps {
  /** The rule to edit; null creates one. */
  rule: Rule | null;
  initialSymbol: string;
  /** Resolves when saved (the dialog then closes); rejects with the API's error. */
  onSave(body: RuleBody): Promise<void>;
  onClose(): void;
}

const TRIGGER_HELP: Record<TriggerMode, string> = {
  rearm: 'Fires, then again only after the condition stopped holding and the cooldown passed.',
  once: 'Fires once; the rule then stops.',
  repeat: 'Fires whenever the condition holds, at most once per cooldown.',
};

interface FieldProps {
  id: string;
  label: string;
  errors: readonly string[] | undefined;
  help?: string;
  children: (attributes: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ComponentChildren;
}

/** A label, the control, its help and its errors, wired together for assistive technology. */
function Field({ id, label, errors, help, children }: FieldProps) {
  const described = [help === undefined ? null : `${id}-help`, errors === undefined ? null : `${id}-error`].filter((x) => x !== null).join(' ');
  return (
    <div class={`field${errors === undefined ? '' : ' invalid'}`}>
      <label for={id}>{label}</label>
      {children({ id, 'aria-invalid': errors !== undefined, 'aria-describedby': described === '' ? undefined : described })}
      {help !== undefined && (
        <p id={`${id}-help`} class="help">
          {help}
        </p>
      )}
      {errors !== undefined && (
        <p id={`${id}-error`} class="field-error">
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}

/** The symbol field's help for a market: iTick's form and the market's example (a stock's HK one too). */
function symbolHelp(market: Market): string {
  const examples = market === 'stock' ? `${exampleCode(market)}, 700$HK` : exampleCode(market);
  return `iTick form CODE$REGION, e.g. ${examples}${market === 'stock' ? '' : ` (sent as ${marketInfo(market).example})`}.`;
}

function boundsHelp(field: ConditionFieldSpec): string | undefined {
  if (field.min !== undefined && field.max !== undefined) return `From ${field.min} to ${field.max}.`;
  const lower = field.min !== undefined ? `at least ${field.min}` : field.above !== undefined ? `above ${field.above}` : undefined;
  const upper = field.max !== undefined ? `at most ${field.max}` : field.below !== undefined ? `below ${field.below}` : undefined;
  const bounds = [lower, upper].filter((part): part is string => part !== undefined).join(' and ');
  if (bounds !== '') return `${bounds.charAt(0).toUpperCase()}${bounds.slice(1)}.`;
  return field.kind === 'json' ? 'JSON.' : undefined;
}

export function RuleForm({ rule, initialSymbol, onSave, onClose }: RuleFormProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [values, setValues] = useState<RuleFormValues>(() => (rule === null ? emptyForm(conditionTypes, initialSymbol) : formFromRule(rule, conditionTypes)));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  useEffect(() => {
    // After a refusal, focus goes to the first field the API named (or the form's own error).
    dialog.current?.querySelector<HTMLElement>('[aria-invalid="true"], .form-error')?.focus();
  }, [errors]);

  const set = (patch: Partial<RuleFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const spec = conditionTypes.find((s) => s.type === values.conditionType);

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = ruleBody(values, conditionTypes);
    setBusy(true);
    setErrors({});
    try {
      await onSave(rule === null ? body : rulePatch(rule, body));
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ApiError && failure.details.length > 0) setErrors(errorsByField(failure.details, values, conditionTypes));
      else setErrors({ form: [failure instanceof Error ? failure.message : String(failure)] });
    }
  };

  const title = rule === null ? 'New rule' : `Edit rule for ${rule.symbol}`;
  return (
    <dialog
      ref={dialog}
      class="rule-dialog"
      aria-labelledby="rule-form-title"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <h2 id="rule-form-title">{title}</h2>
        {errors.form !== undefined && (
          <p class="error form-error" role="alert" tabIndex={-1}>
            {errors.form.join('; ')}
          </p>
        )}
        {Object.keys(errors).length > 0 && errors.form === undefined && (
          <p class="visually-hidden" role="alert">
            The rule was not saved: see the fields marked invalid.
          </p>
        )}

        <div class="row">
          <Field id="rule-market" label="Market" errors={undefined}>
            {(a) => (
              <select {...a} value={values.market} onChange={(e) => set({ market: e.currentTarget.value as Market })}>
                {MARKETS.map((market) => (
                  <option key={market} value={market}>
                    {marketInfo(market).label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="rule-symbol" label="Symbol" errors={errors.symbol} help={symbolHelp(values.market)}>
            {(a) => (
              <input
                {...a}
                type="text"
                autocomplete="off"
                spellcheck={false}
                placeholder={exampleCode(values.market)}
                value={values.symbol}
                onInput={(e) => set({ symbol: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>

        <fieldset>
          <legend>Condition</legend>
          <Field id="rule-condition-type" label="Type" errors={errors['condition.type']}>
            {(a) => (
              <select {...a} value={values.conditionType} onChange={(e) => set({ conditionType: e.currentTarget.value })}>
                {conditionTypes.map((s) => (
                  <option key={s.type} value={s.type}>
                    {typeLabel(s.type)}
                  </option>
                ))}
                <option value={JSON_CONDITION}>other (JSON)</option>
              </select>
            )}
          </Field>
          {values.conditionType === JSON_CONDITION ? (
            <Field id="rule-condition-json" label="Condition (JSON)" errors={errors['condition.json']} help='For example {"type":"crosses_above","value":200}.'>
              {(a) => <textarea {...a} rows={5} spellcheck={false} value={values.conditionJson} onInput={(e) => set({ conditionJson: e.currentTarget.value })} />}
            </Field>
          ) : (
            spec?.fields.map((field) => {
              const id = `rule-condition-${field.name}`;
              const value = values.conditionFields[field.name] ?? '';
              const update = (text: string) => set({ conditionFields: { ...values.conditionFields, [field.name]: text } });
              return (
                <Field key={field.name} id={id} label={fieldLabel(field.name, values.conditionType)} errors={errors[`condition.${field.name}`]} help={boundsHelp(field)}>
                  {(a) =>
                    field.kind === 'choice' ? (
                      <select {...a} value={value} onChange={(e) => update(e.currentTarget.value)}>
                        <option value="">{field.required ? 'choose…' : 'default'}</option>
                        {(field.choices ?? []).map((choice) => (
                          <option key={choice} value={choice}>
                            {choice}
                          </option>
                        ))}
                      </select>
                    ) : field.kind === 'json' ? (
                      <textarea {...a} rows={4} spellcheck={false} value={value} onInput={(e) => update(e.currentTarget.value)} />
                    ) : (
                      <input
                        {...a}
                        type="text"
                        inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
                        autocomplete="off"
                        value={value}
                        onInput={(e) => update(e.currentTarget.value)}
                      />
                    )
                  }
                </Field>
              );
            })
          )}
        </fieldset>

        <div class="row">
          <Field id="rule-trigger" label="Trigger" errors={errors.trigger} help={TRIGGER_HELP[values.trigger]}>
            {(a) => (
              <select {...a} value={values.trigger} onChange={(e) => set({ trigger: e.currentTarget.value as TriggerMode })}>
                {TRIGGERS.map((trigger) => (
                  <option key={trigger} value={trigger}>
                    {trigger}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="rule-cooldown" label="Cooldown (seconds)" errors={errors.cooldownSeconds}>
            {(a) => <input {...a} type="text" inputMode="numeric" value={values.cooldownSeconds} onInput={(e) => set({ cooldownSeconds: e.currentTarget.value })} />}
          </Field>
          <Field id="rule-expires" label="Expires (optional)" errors={errors.expiresAt}>
            {(a) => <input {...a} type="datetime-local" value={values.expiresAt} onInput={(e) => set({ expiresAt: e.currentTarget.value })} />}
          </Field>
        </div>

        <fieldset aria-describedby={errors.channels === undefined ? 'rule-channels-help' : 'rule-channels-help rule-channels-error'}>
          <legend>Channels</legend>
          <p id="rule-channels-help" class="help">
            Alerts always reach this dashboard; add email, Telegram or webhook deliveries.
          </p>
          {values.channels.map((channel, index) => {
            const update = (patch: Partial<typeof channel>) => set({ channels: values.channels.map((c, i) => (i === index ? { ...c, ...patch } : c)) });
            return (
              <div class="channel-row" key={index}>
                <div class="field">
                  <label for={`rule-channel-${index}-kind`}>Channel {index + 1}</label>
                  <select id={`rule-channel-${index}-kind`} value={channel.kind} onChange={(e) => update({ kind: e.currentTarget.value as ChannelKind })}>
                    {CHANNEL_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {kind}
                      </option>
                    ))}
                  </select>
                </div>
                <Field id={`rule-channel-${index}-address`} label={ADDRESS_FORM[channel.kind].label} errors={errors[`channels.${index}`]}>
                  {(a) => (
                    <input
                      {...a}
                      type="text"
                      inputMode={ADDRESS_FORM[channel.kind].inputMode}
                      autocomplete="off"
                      placeholder={ADDRESS_FORM[channel.kind].placeholder}
                      value={channel.address}
                      onInput={(e) => update({ address: e.currentTarget.value })}
                    />
                  )}
                </Field>
                <button type="button" class="remove" onClick={() => set({ channels: values.channels.filter((_, i) => i !== index) })}>
                  Remove<span class="visually-hidden"> channel {index + 1}</span>
                </button>
              </div>
            );
          })}
          {errors.channels !== undefined && (
            <p id="rule-channels-error" class="field-error">
              {errors.channels.join('; ')}
            </p>
          )}
          <button type="button" onClick={() => set({ channels: [...values.channels, { kind: 'email', address: '' }] })}>
            Add channel
          </button>
        </fieldset>

        <Field id="rule-message" label="Message (optional)" errors={errors.message} help="Placeholders: {{symbol}} {{price}} {{value}} {{condition}} {{time}} {{note}}.">
          {(a) => <input {...a} type="text" value={values.message} onInput={(e) => set({ message: e.currentTarget.value })} />}
        </Field>
        <Field id="rule-note" label="Note (optional)" errors={errors.note}>
          {(a) => <textarea {...a} rows={2} value={values.note} onInput={(e) => set({ note: e.currentTarget.value })} />}
        </Field>

        <div class="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : rule === null ? 'Create rule' : 'Save changes'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
