// Everything phiwatch deploys into the security-tooling account. Modules import each other in
// dependency order: context → storage → alerts → events → functions → api.

import { alerts, deadLetter, deliveries } from "./alerts";
import { api } from "./api";
import { baseline, stage } from "./context";
import { accessQueue } from "./events";
import { functions } from "./functions";
import { key, table } from "./storage";

export const outputs = {
  stage,
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
