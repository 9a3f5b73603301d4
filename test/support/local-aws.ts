/** Local AWS SDK clients need some credentials and a region; the local servers do not check them. */
import { LOCAL_CREDENTIALS } from '../../core/local-credentials';

export const LOCAL_AWS = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS } as const;
