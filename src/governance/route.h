#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "governance/request_verifier.h"

// The routes of the API (docs/api.md), one declaration each in Service::Routes()
// (routes.cc): method, path, how it is authenticated, the message it takes and its handler.
// Adding a route is adding one entry there (and its handler).
namespace cleanroom::governance {

class Service;
struct ApiResponse;

// How a route authenticates its caller. The dispatcher (Service::Handle) runs the check before
// the handler for kMemberSignature and kMemberCertificate; the other routes authenticate inside
// their handler because what proves them is in the body.
enum class RouteAuth {
  kOpen,               // anyone with a TLS connection
  kMemberCertificate,  // reads: the TLS client certificate of a member
  kMemberSignature,    // writes: a COSE_Sign1 body signed by a member (RequestVerifier)
  kSignedEnvelope,     // the secret route: a signed request inside a JSON envelope
  kEvidence,           // key release: attestation evidence bound to the run
  kRunToken,           // the run report: the run token released with the keys
};

// One request as a handler sees it: the path and its parameters in order (e.g. {"r3"} for
// /v1/runs/{run}/keys), the body, the caller's member id (TLS certificate; empty when none) and,
// for kMemberSignature routes, the verified request.
struct RouteCall {
  std::vector<std::string> segments;  // the whole path, split at '/'
  std::vector<std::string> params;
  std::string_view body;
  const std::string& client_member_id;
  const VerifiedRequest* verified = nullptr;
};

struct Route {
  std::string_view method;  // GET or POST
  std::string_view path;    // literal segments and {parameters}, e.g. "/v1/runs/{run}/keys"
  RouteAuth auth;
  // kMemberSignature: the COSE message types the route takes. Otherwise the name of the wire
  // message of the body (govwire), or empty for none.
  std::vector<std::string> messages;
  ApiResponse (*handler)(Service& service, const RouteCall& call);
};

// Whether `segments` (the path split at '/') match `route.path`; fills `params`.
bool MatchRoute(const Route& route, const std::vector<std::string>& segments,
                std::vector<std::string>* params);

}  // namespace cleanroom::governance
