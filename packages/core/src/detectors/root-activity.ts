import { accountOf, managementDetection } from "../activity/management.ts";
import { defineDetector } from "./types.ts";

export default defineDetector({
  id: "root-activity",
  title: "The root user is not used in monitored accounts",
  input: "management",
  events: ["*:*"],
  hipaa: ["164.308(a)(3)"],
  severity: "high",
  rationale:
    "Workforce security: the root user bypasses every IAM control and cannot be attributed to a person; any API call or sign-in by root in an account holding PHI must be explained.",
  remediation:
    "Confirm who used the root credentials and why; rotate the root password, ensure MFA is on, remove root access keys (aws iam delete-access-key as root).",
  evaluate(r, ctx) {
    if (r.userIdentity.type !== "Root" || r.userIdentity.invokedBy || r.eventType === "AwsServiceEvent")
      return [];
    const account = accountOf(r);
    if (!ctx.baseline.accounts.includes(account)) return [];
    return [
      managementDetection(
        r,
        ctx,
        { resourceType: "AWS::::Account", resourceId: account },
        `root user called ${r.eventSource.replace(".amazonaws.com", "")}:${r.eventName}`,
        { eventSource: r.eventSource },
        { discriminator: `day:${r.eventTime.slice(0, 10)}`, severity: "critical" },
      ),
    ];
  },
});
