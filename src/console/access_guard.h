#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace cleanroom::console {

// The request headers the guard looks at (absent headers are empty).
struct RequestHeaders {
  std::string method;  // "GET", "POST", ...
  std::string path;
  std::string host;
  std::string origin;
  std::string sec_fetch_site;
  std::string cookie;
  std::string content_type;
};

// Who may use the console's local HTTP API: only the page the member opened from the login URL
// the console printed. Other pages in the same browser (any site, and other ports of 127.0.0.1,
// which browsers count as the same site), a DNS-rebound name and other local programs that
// lack the secret are refused.
//
// The secret is 32 random bytes (hex), made per launch. The login URL carries it once; the
// console answers with a cookie (HttpOnly, SameSite=Strict, Path=/) holding it. Then every
// request must:
//   - name the console in Host exactly: 127.0.0.1:PORT, localhost:PORT or [::1]:PORT;
//   - carry the cookie (compared in constant time);
//   - when it carries Origin, have the console's own origin; when it carries Sec-Fetch-Site,
//     "same-origin" or "none" (typed in the address bar);
//   - for anything but GET: carry Origin (the console's own), a JSON Content-Type (a form or a
//     simple text POST from another page cannot be JSON without a CORS preflight, which is
//     never answered).
// Thread-safe (immutable after construction).
class AccessGuard {
 public:
  // `port` is the port the console listens on; `secret` the per-launch secret (hex).
  AccessGuard(int port, std::string secret);

  // A fresh guard with a random secret.
  static Result<AccessGuard> Create(int port);

  const std::string& secret() const { return secret_; }
  // The cookie's name, "cleanroom_console_PORT": cookies are shared by every port of a host, so
  // two consoles open in one browser must not overwrite each other's.
  std::string CookieName() const;
  // The Set-Cookie value the login answers with.
  std::string SetCookieHeader() const;
  // The URL to print: http://127.0.0.1:PORT/login?token=SECRET
  std::string LoginUrl() const;

  // OK when the request may proceed; PermissionDenied saying which check failed (never the
  // secret). The login route itself is checked with CheckLogin instead.
  Status Check(const RequestHeaders& request) const;
  // The login request: Host as above, no foreign Origin, and `token` equal to the secret.
  Status CheckLogin(const RequestHeaders& request, std::string_view token) const;

 private:
  Status CheckHost(const RequestHeaders& request) const;
  Status CheckCrossSite(const RequestHeaders& request) const;
  bool CookieHoldsSecret(std::string_view cookie_header) const;

  int port_;
  std::string secret_;
};

// Whether `host` (as given to --listen) is a loopback address: 127.0.0.1 (127/8), ::1 or
// localhost.
bool IsLoopbackHost(std::string_view host);

}  // namespace cleanroom::console
