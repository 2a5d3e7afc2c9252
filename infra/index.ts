// Everything phiwatch deploys into the security-tooling account. Modules import each other in
// dependency order: context → storage → alerts → events → functions → api.

import { alerts, deadLetter, deliveries } from "./alerts";
import { api } from "./api";
import { baseline, regionName, stage } from "./context";
import { accessQueue } from "./events";
import { functions } from "./functions";
import { key, table } from "./storage";

export const outputs = {
  stage,
  /** Where phiwatch's rules are: infra/member-account.yaml's SecurityRegion in every member region. */
  region: regionName,
  accessPath: baseline.ingest.access,
  table: table.name,
  key: key.arn,
  alertsTopic: alerts.arn,
  accessQueue: accessQueue.url,
  deliveriesQueue: deliveries.url,
  deadLetterQueue: deadLetter.url,
  api: api.apiEndpoint,
  functions: Object.fromEntries(Object.entries(functions).map(([fn, f]) => [fn, f.func.name])),
};
