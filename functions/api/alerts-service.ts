/** The alert history use case behind `GET /alerts`: the owner's alerts, newest first, filtered. */
import type { Alert } from '../../core/rule-model';
import { listAlerts } from '../../storage/alerts-repository';
import type { Db } from '../../storage/dynamodb-client';
import type { Page } from '../../storage/query-page';
import { listAlertsQuerySchema, parseQuery } from './query-schemas';
import type { QueryParameters } from './rules-service';

export function createAlertsService(deps: { db: Db }) {
  return {
    async list(owner: string, parameters: QueryParameters): Promise<Page<Alert>> {
      const query = parseQuery(listAlertsQuerySchema, parameters);
      return listAlerts(deps.db, owner, query);
    },
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
