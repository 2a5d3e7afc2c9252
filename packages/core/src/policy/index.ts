export { accessPointForEvidence, accessPointQuestion, accessPointQuestions } from "./access-points.ts";
export {
  and,
  type ConditionResult,
  type ContextValue,
  evaluateConditions,
  type RequestContext,
  type Tri,
} from "./condition.ts";
export {
  type ConditionEntry,
  MAX_POLICY_CHARS,
  MAX_STATEMENTS,
  type PolicyDocument,
  type PrincipalElement,
  parsePolicyDocument,
  type Statement,
  statementLabel,
} from "./document.ts";
export {
  type Decision,
  evaluateIdentity,
  evaluatePolicies,
  mayAllow,
  type NamedPolicy,
  type Question,
  type StatementRef,
  statementApplies,
} from "./evaluate.ts";
export { type Grant, type GrantPrincipal, principalGrants } from "./grants.ts";
export {
  ACCESS_POINT_UNDECIDED,
  type AccessFinding,
  accessPointAccess,
  accessVerdict,
  type IdentityPolicies,
  iamChangeMovesIdentity,
  identityAccess,
  identityControlFacts,
  identityFactRequests,
  identityPolicies,
  identityScope,
  KNOWN_AWS_MANAGED,
  managedPolicyDocument,
} from "./identity.ts";
export {
  accountOf,
  notPrincipalExempts,
  principalContext,
  principalMatches,
  type RequestPrincipal,
} from "./principal.ts";
export {
  baselineHasTagBuckets,
  bucketArns,
  bucketChangeMovesKey,
  bucketInventoryRequest,
  bucketPolicy,
  bucketUsesKey,
  isUnreadable,
  keyIdentity,
  keyPolicy,
  type PhiTarget,
  partitionOfArn,
  partitionOfResource,
  phiKeyGate,
  phiKeyOf,
  phiTargets,
  rawKeyPatterns,
  rawObjectPatterns,
  readDocument,
  supplementaryObject,
  type Unreadable,
} from "./resources.ts";
export {
  actionMatches,
  arnLike,
  arnMatches,
  arnPatternCovers,
  globsIntersect,
  hasWildcard,
  stringLike,
} from "./wildcard.ts";
