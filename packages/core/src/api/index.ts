export {
  ApiError,
  CloseBody,
  FindingIdParam,
  ListFindingsQuery,
  MAX_BODY_BYTES,
  MAX_PAGE,
  MAX_PAGE_BYTES,
  MAX_QUERY_VALUE,
  PostureQuery,
  parseInput,
  ReasonBody,
  ResourceHistoryQuery,
  SuppressBody,
  UnsuppressBody,
} from "./request.ts";
export {
  type ApiDeps,
  type ApiRequest,
  type ApiResponse,
  handleApiRequest,
  matchRoute,
  type PostureReader,
} from "./router.ts";
