/**
 * The delivery channels: one sender per registered channel type (registry.ts), each sending one
 * alert to one destination and answering with a DeliveryResult (never throwing for a failed
 * delivery). The notifier creates them once per container (`createSenders`) and calls
 * `sendToChannel` for each of a rule's channels, and for the dashboard push of every alert.
 */
export type * from './channel-implementation';
export * from './dashboard-pusher';
export * from './delivery-clock';
export type * from './delivery-logger';
export * from './delivery-result';
export * from './email-sender';
export * from './message-formats';
export * from './registry';
export * from './telegram-sender';
export * from './webhook-sender';
export * from './webhook-signature';
