/**
 * The credentials every AWS SDK client uses against a local server (DynamoDB Local, the SES
 * emulator, the local SQS, Lambda Invoke and WebSocket API servers). The servers do not check
 * them, but the SDK refuses to sign a request without some. Placeholders, never real keys.
 */
export const LOCAL_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = { accessKeyId: 'local', secretAccessKey: 'local' };
