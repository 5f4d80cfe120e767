// Every case, in the order they run. Note: a new case is one defineCase in a file of this folder (say, device-flow.mjs
// for RFC 8628, par.mjs for RFC 9126, token-exchange.mjs for RFC 8693, resource-indicators.mjs for RFC 8707,
// private-key-jwt.mjs for RFC 7523) and one entry here; docs/security.md lists what each covers.

import * as authorizationErrors from './authorization-errors.mjs';
import * as codeFlow from './code-flow.mjs';
import * as cors from './cors.mjs';
import * as discovery from './discovery.mjs';
import * as endSession from './end-session.mjs';
import * as modernGrants from './modern-grants.mjs';
import * as tokens from './tokens.mjs';
import * as userInfo from './userinfo.mjs';

export const cases = [
  discovery.discovery,
  discovery.discoveryOpenIdClient,
  codeFlow.codeConfidential,
  codeFlow.codePublic,
  codeFlow.codeOpenIdClient,
  codeFlow.codeReplay,
  codeFlow.codeWrongVerifier,
  authorizationErrors.missingPkce,
  authorizationErrors.plainPkce,
  authorizationErrors.invalidScope,
  authorizationErrors.tokenResponseType,
  authorizationErrors.hybridResponseType,
  authorizationErrors.unsupportedResponseMode,
  authorizationErrors.requestObject,
  authorizationErrors.requestUri,
  authorizationErrors.promptNoneWithLogin,
  authorizationErrors.promptNoneWithoutSession,
  tokens.refresh,
  tokens.revocationThenIntrospection,
  tokens.introspectAccessToken,
  tokens.clientCredentials,
  userInfo.userInfoGet,
  userInfo.userInfoPost,
  endSession.endSession,
  cors.corsSecondOrigin,
  modernGrants.deviceFlow,
  modernGrants.pushedAuthorization,
  modernGrants.tokenExchange,
  modernGrants.resourceIndicators,
  modernGrants.privateKeyJwt,
];
