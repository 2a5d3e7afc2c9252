// HTTP API with IAM (SigV4) authorisation in front of the api function.
import { name, tags } from "./context";
import { functions } from "./functions";

export const api = new aws.apigatewayv2.Api("Api", {
  name: name("api"),
  protocolType: "HTTP",
  description: "phiwatch findings, history, posture and evidence (IAM auth)",
  tags,
});

const integration = new aws.apigatewayv2.Integration("ApiIntegration", {
  apiId: api.id,
  integrationType: "AWS_PROXY",
  integrationUri: functions.api.func.arn,
  payloadFormatVersion: "2.0",
});

export const route = new aws.apigatewayv2.Route("ApiRoute", {
  apiId: api.id,
  routeKey: "ANY /{proxy+}",
  authorizationType: "AWS_IAM",
  target: $interpolate`integrations/${integration.id}`,
});

export const apiStage = new aws.apigatewayv2.Stage("ApiStage", {
  apiId: api.id,
  name: "$default",
  autoDeploy: true,
  tags,
});

new aws.lambda.Permission("Invoke-api", {
  action: "lambda:InvokeFunction",
  function: functions.api.func.name,
  principal: "apigateway.amazonaws.com",
  sourceArn: $interpolate`${api.executionArn}/*/*`,
});
