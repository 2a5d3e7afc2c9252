// Types of the SST links the handlers use (SST generates the same declarations into sst-env.d.ts on
// `sst dev`/`sst deploy`; this copy lets the functions typecheck without a deployed app).
import "sst";

declare module "sst" {
  export interface Resource {
    Findings: { name: string; type: "sst.aws.Dynamo" };
    Alerts: { arn: string; type: "sst.aws.SnsTopic" };
    Deliveries: { url: string; type: "sst.aws.Queue" };
    DeliveriesDlq: { url: string; type: "sst.aws.Queue" };
    DeadLetter: { url: string; type: "sst.aws.Queue" };
  }
}
