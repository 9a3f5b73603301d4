/** Local AWS SDK clients need some credentials and a region; the local servers do not check them. */
export const LOCAL_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } as const;
