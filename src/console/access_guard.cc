#include "console/access_guard.h"

#include <arpa/inet.h>

#include "base/bytes.h"
#include "crypto/random.h"

namespace cleanroom::console {

AccessGuard::AccessGuard(int port, std::string secret) : port_(port), secret_(std::move(secret)) {}

Result<AccessGuard> AccessGuard::Create(int port) {
  CR_ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(32));
  AccessGuard guard(port, HexEncode(random));
  SecureWipe(random);
  return guard;
}

std::string AccessGuard::CookieName() const { return "cleanroom_console_" + std::to_string(port_); }

std::string AccessGuard::SetCookieHeader() const {
  return CookieName() + "=" + secret_ + "; Path=/; HttpOnly; SameSite=Strict";
}

std::string AccessGuard::LoginUrl() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/login?token=" + secret_;
}

Status AccessGuard::CheckHost(const RequestHeaders& request) const {
  std::string port = ":" + std::to_string(port_);
  for (const char* name : {"127.0.0.1", "localhost", "[::1]"}) {
    if (request.host == name + port) return Status::OK();
  }
  // A page of another name that resolves to 127.0.0.1 (DNS rebinding) sends its own name.
  return Status::PermissionDenied("console: the Host header does not name this console");
}

Status AccessGuard::CheckCrossSite(const RequestHeaders& request) const {
  if (!request.origin.empty()) {
    std::string port = ":" + std::to_string(port_);
    bool own = false;
    for (const char* name : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
      own = own || request.origin == name + port;
    }
    if (!own) return Status::PermissionDenied("console: a request from another origin");
  }
  if (!request.sec_fetch_site.empty() && request.sec_fetch_site != "same-origin" &&
      request.sec_fetch_site != "none") {
    return Status::PermissionDenied("console: a request from another site or port");
  }
  return Status::OK();
}

bool AccessGuard::CookieHoldsSecret(std::string_view header) const {
  // Cookie: a=b; c=d. Every cookie of our name is compared (a page of the same site could add
  // its own of that name, it cannot know the secret).
  const std::string name = CookieName();
  bool found = false;
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find(';', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(start, end - start);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      found = found || ConstantTimeEquals(AsBytes(pair.substr(eq + 1)), AsBytes(secret_));
    }
    start = end + 1;
  }
  return found;
}

Status AccessGuard::Check(const RequestHeaders& request) const {
  CR_RETURN_IF_ERROR(CheckHost(request));
  CR_RETURN_IF_ERROR(CheckCrossSite(request));
  if (!CookieHoldsSecret(request.cookie)) {
    return Status::Unauthenticated(
        "console: not logged in: open the login URL the console printed when it started");
  }
  if (request.method != "GET") {
    // Browsers send Origin on every cross-origin request and on same-origin POSTs; a request
    // without one did not come from the page.
    if (request.origin.empty()) return Status::PermissionDenied("console: a write without Origin");
    std::string_view type = request.content_type;
    if (type.substr(0, type.find(';')) != "application/json") {
      return Status::PermissionDenied("console: writes take application/json only");
    }
  }
  return Status::OK();
}

Status AccessGuard::CheckLogin(const RequestHeaders& request, std::string_view token) const {
  CR_RETURN_IF_ERROR(CheckHost(request));
  CR_RETURN_IF_ERROR(CheckCrossSite(request));
  if (request.method != "GET" || !ConstantTimeEquals(AsBytes(token), AsBytes(secret_))) {
    return Status::Unauthenticated("console: the login link is not this console's");
  }
  return Status::OK();
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr address{};
  std::string text(host);
  if (inet_pton(AF_INET, text.c_str(), &address) != 1) return false;
  return (ntohl(address.s_addr) >> 24) == 127;
}

}  // namespace cleanroom::console
