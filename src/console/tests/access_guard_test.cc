// The console's access guard: every check, one at a time, the way another page or program
// would try to get past it.
#include "console/access_guard.h"

#include <gtest/gtest.h>

namespace cleanroom::console {
namespace {

const std::string kSecret(64, 'a');

RequestHeaders PageGet() {
  return RequestHeaders{"GET", "/api/queries", "127.0.0.1:8080",
                        "",    "same-origin",  "cleanroom_console_8080=" + kSecret,
                        ""};
}

RequestHeaders PagePost() {
  RequestHeaders r = PageGet();
  r.method = "POST";
  r.origin = "http://127.0.0.1:8080";
  r.content_type = "application/json";
  return r;
}

TEST(AccessGuard, ThePageItselfPasses) {
  AccessGuard guard(8080, kSecret);
  EXPECT_TRUE(guard.Check(PageGet()).ok());
  EXPECT_TRUE(guard.Check(PagePost()).ok());
  RequestHeaders other_cookies = PagePost();
  other_cookies.cookie =
      "theme=dark; cleanroom_console_8081=x; cleanroom_console_8080=" + kSecret + "; x=1";
  EXPECT_TRUE(guard.Check(other_cookies).ok());
}

TEST(AccessGuard, NoCookieOrAWrongOneIsRefused) {
  AccessGuard guard(8080, kSecret);
  RequestHeaders r = PagePost();
  r.cookie = "";
  EXPECT_EQ(guard.Check(r).code(), StatusCode::kUnauthenticated);
  r.cookie = "cleanroom_console_8080=" + std::string(64, 'b');
  EXPECT_EQ(guard.Check(r).code(), StatusCode::kUnauthenticated);
  r.cookie = "cleanroom_console_8080=" + kSecret.substr(0, 63);
  EXPECT_EQ(guard.Check(r).code(), StatusCode::kUnauthenticated);
  r.cookie = "xcleanroom_console_8080=" + kSecret;
  EXPECT_EQ(guard.Check(r).code(), StatusCode::kUnauthenticated);
  // Another console's cookie (cookies are shared by the ports of a host) is not this one's.
  r.cookie = "cleanroom_console_8081=" + kSecret;
  EXPECT_EQ(guard.Check(r).code(), StatusCode::kUnauthenticated);
}

TEST(AccessGuard, AnotherOriginIsRefusedEvenWithTheCookie) {
  AccessGuard guard(8080, kSecret);
  // Another port of 127.0.0.1 is the same site: the browser sends the SameSite=Strict cookie.
  for (std::string origin : {"http://127.0.0.1:9999", "http://evil.example", "null",
                             "https://127.0.0.1:8080", "http://127.0.0.1:80800"}) {
    RequestHeaders r = PagePost();
    r.origin = origin;
    EXPECT_EQ(guard.Check(r).code(), StatusCode::kPermissionDenied) << origin;
    r.method = "GET";
    EXPECT_EQ(guard.Check(r).code(), StatusCode::kPermissionDenied) << origin;
  }
  for (std::string site : {"same-site", "cross-site"}) {
    RequestHeaders r = PageGet();
    r.sec_fetch_site = site;
    EXPECT_EQ(guard.Check(r).code(), StatusCode::kPermissionDenied) << site;
  }
}

TEST(AccessGuard, ARebindingHostIsRefused) {
  AccessGuard guard(8080, kSecret);
  for (std::string host :
       {"evil.example:8080", "127.0.0.1:8081", "127.0.0.1", "", "localhost.evil:8080"}) {
    RequestHeaders r = PageGet();
    r.host = host;
    EXPECT_EQ(guard.Check(r).code(), StatusCode::kPermissionDenied) << host;
  }
  RequestHeaders r = PageGet();
  r.host = "localhost:8080";
  EXPECT_TRUE(guard.Check(r).ok());
}

TEST(AccessGuard, WritesNeedOriginAndJson) {
  AccessGuard guard(8080, kSecret);
  RequestHeaders r = PagePost();
  r.origin = "";
  EXPECT_EQ(guard.Check(r).code(), StatusCode::kPermissionDenied);
  // A form post or a "simple" fetch from another page needs no preflight: never JSON.
  for (std::string type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""}) {
    r = PagePost();
    r.content_type = type;
    EXPECT_EQ(guard.Check(r).code(), StatusCode::kPermissionDenied) << type;
  }
  r = PagePost();
  r.content_type = "application/json; charset=utf-8";
  EXPECT_TRUE(guard.Check(r).ok());
}

TEST(AccessGuard, LoginNeedsTheSecretAndNoForeignOrigin) {
  AccessGuard guard(8080, kSecret);
  RequestHeaders r{"GET", "/login", "127.0.0.1:8080", "", "none", "", ""};
  EXPECT_TRUE(guard.CheckLogin(r, kSecret).ok());
  EXPECT_EQ(guard.CheckLogin(r, "").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(guard.CheckLogin(r, std::string(64, 'b')).code(), StatusCode::kUnauthenticated);
  r.sec_fetch_site = "cross-site";  // a link on another site cannot log a browser in
  EXPECT_EQ(guard.CheckLogin(r, kSecret).code(), StatusCode::kPermissionDenied);
}

TEST(AccessGuard, SecretsAreFreshAndTheCookieIsStrict) {
  auto a = AccessGuard::Create(8080);
  auto b = AccessGuard::Create(8080);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->secret().size(), 64u);
  EXPECT_NE(a->secret(), b->secret());
  EXPECT_NE(a->SetCookieHeader().find("HttpOnly"), std::string::npos);
  EXPECT_NE(a->SetCookieHeader().find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(a->LoginUrl(), "http://127.0.0.1:8080/login?token=" + a->secret());
}

TEST(AccessGuard, OnlyLoopbackHostsAreLoopback) {
  for (std::string host : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (std::string host : {"0.0.0.0", "10.0.0.1", "192.168.1.1", "::", "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace cleanroom::console
