// HTTP API (API Gateway v2, IAM auth) for compliance teams: findings, history, posture, suppressions.
// Routing and validation live in core (`Api.handleApiRequest`); this adapts the event and passes the stores.
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { PostureStore } from "@phiwatch/aws";
import { Api } from "@phiwatch/core";
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyResultV2 } from "aws-lambda";
import { ddb, findingStore, loadBaseline, logger, tableName } from "./lib/runtime.ts";

// The organisation's time zone: a suppression `until` date runs through the end of that day there.
const deps: Api.ApiDeps = {
  findings: findingStore,
  posture: new PostureStore(ddb, tableName()),
  timeZone: loadBaseline().organisation.timeZone,
};

/**
 * What a log line may say of a request: the route and a well-formed finding id. The path itself is the
 * caller's text (a mistyped path can hold a patient's name or record number), so it is never logged.
 */
function logged(req: Api.ApiRequest): { route: string; findingId?: string } {
  let route: ReturnType<typeof Api.matchRoute>;
  try {
    route = Api.matchRoute(req.method, req.path);
  } catch {
    return { route: "unknown" };
  }
  const id = "id" in route ? Api.FindingIdParam.safeParse(route.id) : undefined;
  return { route: route.name, ...(id?.success ? { findingId: id.data } : {}) };
}

export const lambdaHandler = async (
  event: APIGatewayProxyEventV2WithIAMAuthorizer,
): Promise<APIGatewayProxyResultV2> => {
  const caller = event.requestContext?.authorizer?.iam?.userArn;
  const req: Api.ApiRequest = {
    method: event.requestContext?.http?.method ?? "GET",
    path: event.rawPath ?? "/",
    query: event.queryStringParameters ?? {},
    ...(event.body !== undefined ? { body: event.body } : {}),
    isBase64Encoded: event.isBase64Encoded === true,
    ...(caller ? { caller } : {}),
  };
  try {
    const res = await Api.handleApiRequest(req, deps);
    if (req.method !== "GET") logger.info("api change", { ...logged(req), status: res.statusCode, caller });
    return res;
  } catch (error) {
    logger.error("api failure", { ...logged(req), error: (error as Error).name });
    return Api.internalError();
  }
};

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
