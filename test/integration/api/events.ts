// An API Gateway HTTP API (payload 2.0) GET request with IAM authorization, as functions/api.ts
// receives it, for the paging tests.

export function getEvent(path: string, query: Record<string, string>, account = "111122223333") {
  return {
    version: "2.0",
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    requestContext: {
      accountId: account,
      authorizer: { iam: { accountId: account, userArn: `arn:aws:iam::${account}:user/ana` } },
      http: { method: "GET", path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "t" },
      requestId: "r1",
      stage: "$default",
    },
    isBase64Encoded: false,
  };
}
