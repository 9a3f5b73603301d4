/**
 * Email alerts through Amazon SES (v1 SendEmail): a plain-text and an HTML body, sender from
 * configuration (ALERT_FROM_EMAIL). SES errors become delivery results: throttling, 5xx and
 * network errors are retryable; a rejected message or a bad address is not.
 */
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import type { DeliverableAlert } from '../../../core/delivery/deliverable-alert';
import { LOCAL_CREDENTIALS } from '../../../core/local-credentials';
import type { ChannelImplementation, DeliveryChannelOf } from './channel-implementation';
import { DELIVERED, failure, type ChannelSender, type DeliveryResult } from './delivery-result';
import { emailMessage } from './message-formats';

export type EmailChannel = DeliveryChannelOf<'email'>;

export interface EmailSenderOptions {
  /** Created once per container (module scope), endpoint from SES_ENDPOINT. */
  ses: Pick<SESClient, 'send'>;
  /** Verified SES identity the alerts come from (ALERT_FROM_EMAIL). */
  from: string;
  /** SES configuration set, for event publishing (bounces, complaints). */
  configurationSetName?: string;
}

/** The email channel's formatter and sender (functions/notifier/channels/registry.ts). SES_ENDPOINT: the local SES server. */
export const emailImplementation = {
  format: emailMessage,
  createSender: async ({ config }) =>
    new EmailSender({
      ses: new SESClient({
        region: config.region,
        ...(config.sesEndpoint === undefined ? {} : { endpoint: config.sesEndpoint, credentials: LOCAL_CREDENTIALS }),
      }),
      from: config.alertFromEmail,
      ...(config.sesConfigurationSet === undefined ? {} : { configurationSetName: config.sesConfigurationSet }),
    }),
} satisfies ChannelImplementation<'email'>;

/** SES error names that will fail the same way however often they are retried. */
const PERMANENT_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
  'ValidationError',
]);

/** SES error names that mean "not now". */
const TRANSIENT_ERRORS = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable', 'InternalFailure', 'RequestTimeout']);

/**
 * @example
 * const email = new EmailSender({ ses: new SESClient({ endpoint: config.sesEndpoint }), from: config.alertFromEmail });
 * const result = await email.send({ type: 'email', to: 'me@example.com' }, alert);
 */
export class EmailSender implements ChannelSender<EmailChannel> {
  constructor(private readonly options: EmailSenderOptions) {}

  async send(channel: EmailChannel, alert: DeliverableAlert): Promise<DeliveryResult> {
    const { subject, text, html } = emailImplementation.format(alert);
    const command = new SendEmailCommand({
      Source: this.options.from,
      Destination: { ToAddresses: [channel.to] },
      Message: {
        Subject: { Data: subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: text, Charset: 'UTF-8' },
          Html: { Data: html, Charset: 'UTF-8' },
        },
      },
      ...(this.options.configurationSetName === undefined ? {} : { ConfigurationSetName: this.options.configurationSetName }),
    });
    try {
      await this.options.ses.send(command);
      return DELIVERED;
    } catch (error) {
      return classifySesError(error);
    }
  }
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Maps an SES (or network) error to a delivery failure. Exported for its unit tests. */
export function classifySesError(error: unknown): DeliveryResult {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const text = `SES ${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`;
  if (PERMANENT_ERRORS.has(name)) return failure(false, text);
  if (TRANSIENT_ERRORS.has(name) || shape.$retryable !== undefined) return failure(true, text);
  // No HTTP status at all: the request never got an answer (refused, reset, DNS, timeout).
  if (status === undefined) return failure(true, typeof shape.code === 'string' ? `SES unreachable (${shape.code}): ${message}` : `SES unreachable: ${message}`);
  return failure(status >= 500 || status === 429 || status === 408, text);
}
