// The console against a real governance service on loopback (the running collaboration of
// governance's collab fixture): b's console, b's key. Requests come the way a hostile page or
// local program would send them; none may make the console sign anything, and governance's
// ledger must not grow. The page's own requests work, and a vote is bound to the hash shown.
#include "console/console_server.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "governance/tests/collab_fixture.h"

namespace cleanroom::console {
namespace {

using governance::testing::RunningCollaboration;

class ConsoleServerTest : public RunningCollaboration {
 protected:
  void SetUp() override {
    RunningCollaboration::SetUp();
    web_root_ = dir_.path() + "/web";
    identity_dir_ = dir_.path() + "/b-identity";
    std::filesystem::create_directories(web_root_ + "/assets");
    std::ofstream(web_root_ + "/index.html") << "<!doctype html><title>console</title>";
    std::ofstream(web_root_ + "/assets/app.js") << "console.log(1)";
    std::filesystem::create_directories(identity_dir_);
    // A query that waits for b's approval.
    auto proposed = Write(*a_, "/v1/queries", "query.propose",
                          {{"query", QueryDocument("pending",
                                                   "SELECT COUNT(*) FROM impressions i JOIN "
                                                   "customers c ON i.email = c.email")}});
    ExpectOk(proposed);
    pending_ = proposed.body["result"].value("id", "");
    pending_hash_ = proposed.body["result"].value("queryHash", "");
    ConsoleOptions options;
    options.identity_dir = identity_dir_;
    options.web_root = web_root_;
    auto console = ConsoleServer::Start(
        options, governance::testing::Connect(*server_, b_->identity), nullptr);
    ASSERT_TRUE(console.ok()) << console.status().ToString();
    console_ = std::move(console).value();
    port_ = console_->port();
    std::string url = console_->LoginUrl();
    secret_ = url.substr(url.find("token=") + 6);
  }

  std::string Own() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Cookie() const {
    return "cleanroom_console_" + std::to_string(port_) + "=" + secret_;
  }
  httplib::Headers PageHeaders() const {
    return {{"Cookie", Cookie()}, {"Origin", Own()}, {"Sec-Fetch-Site", "same-origin"}};
  }
  // Member requests in the ledger (tree heads, which the service adds on its own, not counted).
  size_t LedgerSize() {
    size_t requests = 0;
    for (const ledger::Entry& entry : LedgerEntries()) {
      requests += entry.kind == ledger::EntryKind::kRequest ? 1 : 0;
    }
    return requests;
  }
  bool ImpressionsEnabled() { return Get(*a_, "/v1/datasets/impressions").value("enabled", false); }

  httplib::Result Post(const std::string& path, const httplib::Headers& headers,
                       const std::string& body, const char* type = "application/json") {
    httplib::Client client("127.0.0.1", port_);
    return client.Post(path.c_str(), headers, body, type);
  }

  std::string web_root_, identity_dir_, pending_, pending_hash_, secret_;
  std::unique_ptr<ConsoleServer> console_;
  int port_ = 0;
};

TEST_F(ConsoleServerTest, LoginSetsAStrictHttpOnlyCookie) {
  httplib::Client client("127.0.0.1", port_);
  auto wrong = client.Get(("/login?token=" + std::string(64, '0')).c_str());
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("Set-Cookie"));
  auto login = client.Get(("/login?token=" + secret_).c_str());
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 303);
  std::string cookie = login->get_header_value("Set-Cookie");
  EXPECT_EQ(cookie.rfind(Cookie(), 0), 0u);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  // Without the cookie, neither the page nor the API.
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 401);
  auto session = client.Get("/api/session", {{"Cookie", Cookie()}});
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status, 200);
  EXPECT_NE(session->body.find(b_->id()), std::string::npos);
  EXPECT_EQ(session->body.find("PRIVATE"), std::string::npos);
}

TEST_F(ConsoleServerTest, HostilePagesCannotMakeItSign) {
  size_t before = LedgerSize();
  std::string disable = R"({"enabled": false})";
  const std::string path = "/api/datasets/impressions/consent";
  struct Attempt {
    const char* what;
    httplib::Headers headers;
    const char* type;
    int status;
  };
  std::vector<Attempt> attempts = {
      {"no cookie", {{"Origin", Own()}}, "application/json", 401},
      {"another port of 127.0.0.1",
       {{"Cookie", Cookie()}, {"Origin", "http://127.0.0.1:1"}},
       "application/json",
       403},
      {"another site",
       {{"Cookie", Cookie()}, {"Origin", "http://evil.example"}},
       "application/json",
       403},
      {"same-site fetch",
       {{"Cookie", Cookie()}, {"Origin", Own()}, {"Sec-Fetch-Site", "same-site"}},
       "application/json",
       403},
      {"no Origin", {{"Cookie", Cookie()}}, "application/json", 403},
      {"a form post", PageHeaders(), "application/x-www-form-urlencoded", 403},
      {"a text/plain fetch", PageHeaders(), "text/plain", 403},
      {"a rebinding name",
       {{"Cookie", Cookie()}, {"Origin", Own()}, {"Host", "evil.example:" + std::to_string(port_)}},
       "application/json",
       403},
  };
  for (const Attempt& attempt : attempts) {
    auto reply = Post(path, attempt.headers, disable, attempt.type);
    ASSERT_TRUE(reply) << attempt.what;
    EXPECT_EQ(reply->status, attempt.status) << attempt.what;
    EXPECT_FALSE(reply->has_header("Access-Control-Allow-Origin")) << attempt.what;
  }
  // A CORS preflight is never answered with permission.
  httplib::Client client("127.0.0.1", port_);
  auto preflight = client.Options(
      path.c_str(), {{"Origin", "http://127.0.0.1:1"}, {"Access-Control-Request-Method", "POST"}});
  if (preflight) {
    EXPECT_FALSE(preflight->has_header("Access-Control-Allow-Origin"));
  }
  EXPECT_EQ(LedgerSize(), before);
  EXPECT_TRUE(ImpressionsEnabled());

  // The page itself: signed with b's key, the switch is off in governance.
  auto reply = Post(path, PageHeaders(), disable);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200) << reply->body;
  EXPECT_GT(LedgerSize(), before);
  EXPECT_FALSE(ImpressionsEnabled());
}

TEST_F(ConsoleServerTest, AVoteIsBoundToTheHashShown) {
  size_t before = LedgerSize();
  std::string other(64, '0');
  auto stale = Post("/api/queries/" + pending_ + "/vote", PageHeaders(),
                    Json{{"accept", true}, {"queryHash", other}}.dump());
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409) << stale->body;  // governance refuses another hash (recorded)
  EXPECT_EQ(Get(*a_, "/v1/queries/" + pending_).value("state", ""), "proposed");
  auto missing = Post("/api/queries/" + pending_ + "/vote", PageHeaders(), R"({"accept": true})");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);  // nothing signed without a hash
  EXPECT_EQ(LedgerSize(), before + 1);
  auto vote = Post("/api/queries/" + pending_ + "/vote", PageHeaders(),
                   Json{{"accept", true}, {"queryHash", pending_hash_}}.dump());
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->status, 200) << vote->body;
  Json query = Get(*a_, "/v1/queries/" + pending_);
  EXPECT_EQ(query.value("state", ""), "accepted");
  EXPECT_EQ(query["votes"][b_->id()].value("vote", ""), "accept");
}

TEST_F(ConsoleServerTest, ReadsPagesAndTheAuditTimeline) {
  httplib::Client client("127.0.0.1", port_);
  httplib::Headers page = {{"Cookie", Cookie()}};
  auto index = client.Get("/", page);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(client.Get("/assets/app.js", page)->status, 200);
  for (std::string absent : {"/../CMakeLists.txt", "/assets/../../b-identity", "/etc/passwd"}) {
    auto reply = client.Get(absent.c_str(), page);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 404) << absent;
  }
  auto queries = client.Get("/api/queries", page);
  ASSERT_TRUE(queries);
  EXPECT_EQ(queries->status, 200);
  EXPECT_NE(queries->body.find(pending_hash_), std::string::npos);
  EXPECT_EQ(client.Get("/api/queries/q1%2Fvotes", page)->status, 404);

  auto audit = client.Get("/api/audit", page);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  Json timeline = Json::parse(audit->body);
  EXPECT_TRUE(timeline["verified"].get<bool>()) << timeline.value("verifyError", "");
  EXPECT_GT(timeline["memberSignaturesVerified"].get<int>(), 5);
  bool saw_proposal = false;
  for (const Json& entry : timeline["timeline"]) {
    saw_proposal = saw_proposal || (entry.value("type", "") == "query.propose" &&
                                    entry.value("signer", "") == a_->id());
  }
  EXPECT_TRUE(saw_proposal);
  // The head is kept; the next visit checks the ledger extends it.
  EXPECT_TRUE(std::filesystem::exists(identity_dir_ + "/tree-head.json"));
  auto again = client.Get("/api/audit", page);
  ASSERT_TRUE(again);
  Json second = Json::parse(again->body);
  EXPECT_TRUE(second["extendsSaved"].get<bool>());
}

TEST(ConsoleServerStart, RefusesANonLoopbackAddress) {
  ConsoleOptions options;
  options.host = "0.0.0.0";
  auto console = ConsoleServer::Start(options, nullptr, nullptr);
  ASSERT_FALSE(console.ok());
  EXPECT_EQ(console.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cleanroom::console
