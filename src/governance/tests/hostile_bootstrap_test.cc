// Finding 6 of issue 14 (point 6 of the session): a fresh service accepts as its first contract
// only what its operator set up at init (founders, or the holder of a one-time token); nobody
// else reaching it can squat it.
#include <gtest/gtest.h>

#include <filesystem>

#include "governance/bootstrap.h"
#include "governance/tests/process_server.h"
#include "governance/tests/test_support.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

Json OneMemberContract(const TestMember& m) {
  return MakeContract("mine", {&m}, {{"provider", "analyst", "recipient"}});
}

ApiReply Propose(TestMember& m, const Json& contract) {
  auto r = m.client->Write("/v1/collab/proposals", "collab.propose",
                           {{"version", 1}, {"contract", contract}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ApiReply{};
}

TEST(Bootstrap, AnUninitialisedServiceDoesNotStart) {
  TempDir dir;
  ServiceOptions options;
  options.data_dir = dir.path();
  auto service = Service::Open(options);
  ASSERT_FALSE(service.ok());
  EXPECT_EQ(service.status().code(), StatusCode::kNotFound);
  EXPECT_NE(service.status().message().find("governance init"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/ledger"));
  // Initialised once only.
  ASSERT_TRUE(Service::Initialise(dir.path(), {}).ok());
  EXPECT_EQ(Service::Initialise(dir.path(), {}).status().code(), StatusCode::kAlreadyExists);
}

TEST(Bootstrap, OnlyTheTokenHolderFoundsTheCollaborationAndOnlyOnce) {
  TempDir dir;
  auto server = TestServer::Start(dir.path());
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(server->bootstrap_token().size(), 64u);
  auto squatter = NewMember(*server, "squatter");
  auto founder = NewMember(*server, "founder");
  ASSERT_TRUE(squatter && founder);

  // Without the token, with a made-up one, and with the founder's proof replayed.
  ApiReply r = Propose(*squatter, OneMemberContract(*squatter));
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, "UnknownSigner");
  squatter->client->set_bootstrap_token(std::string(64, 'a'));
  EXPECT_EQ(Propose(*squatter, OneMemberContract(*squatter)).error->code, "UnknownSigner");
  Json stolen = {{"version", 1},
                 {"contract", OneMemberContract(*squatter)},
                 {"bootstrapProof", BootstrapProof(server->bootstrap_token(), founder->id())}};
  auto replayed = squatter->client->Write("/v1/collab/proposals", "collab.propose", stolen);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->error->code, "UnknownSigner");
  // Nothing was founded: the squatter reads nothing.
  EXPECT_EQ(squatter->client->Get("/v1/collab")->http_status, 401);

  founder->client->set_bootstrap_token(server->bootstrap_token());
  ApiReply founded = Propose(*founder, OneMemberContract(*founder));
  ASSERT_TRUE(founded.ok()) << founded.error->message;
  EXPECT_EQ(founded.body["result"]["state"], "accepted");
  // The token is spent: even its holder's proof for another member no longer founds anything.
  squatter->client->set_bootstrap_token(server->bootstrap_token());
  EXPECT_EQ(Propose(*squatter, OneMemberContract(*squatter)).error->code, "UnknownSigner");
  EXPECT_EQ(squatter->client->Get("/v1/collab")->http_status, 401);
}

TEST(Bootstrap, FoundersFixedAtInitAreTheOnlyProposers) {
  TempDir dir;
  auto founder_identity = crypto::GenerateIdentity("founder");
  ASSERT_TRUE(founder_identity.ok());
  ASSERT_TRUE(Service::Initialise(dir.path(), {founder_identity->member_id()}).ok());
  auto server = TestServer::Start(dir.path());
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(server->bootstrap_token().empty());
  auto squatter = NewMember(*server, "squatter");
  ASSERT_TRUE(squatter);
  EXPECT_EQ(Propose(*squatter, OneMemberContract(*squatter)).error->code, "UnknownSigner");
  auto founder =
      std::unique_ptr<TestMember>(new TestMember{std::move(founder_identity).value(), nullptr});
  founder->client = Connect(*server, founder->identity);
  ApiReply founded = Propose(*founder, OneMemberContract(*founder));
  EXPECT_TRUE(founded.ok()) << founded.error->message;
}

}  // namespace
}  // namespace cleanroom::governance::testing

namespace cleanroom::governance::testing {
namespace {

TEST(Bootstrap, TheOperatorInitialisesThroughTheCommandLine) {
  TempDir dir;
  std::string out;
  // serve on a data dir nobody initialised: refused, and nothing is created in it.
  EXPECT_NE(RunCleanroom({"governance", "serve", "--data-dir", dir.path() + "/gov", "--listen",
                          "127.0.0.1:0"},
                         &out),
            0);
  EXPECT_NE(out.find("governance init"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/gov/ledger"));

  // init with a founder given as an identity directory.
  auto founder = crypto::GenerateIdentity("founder");
  ASSERT_TRUE(founder.ok());
  ASSERT_TRUE(crypto::WriteIdentity(dir.path() + "/founder", *founder).ok());
  ASSERT_EQ(RunCleanroom({"governance", "init", "--data-dir", dir.path() + "/gov", "--founder",
                          dir.path() + "/founder"},
                         &out),
            0)
      << out;
  EXPECT_NE(out.find("founder " + founder->member_id()), std::string::npos) << out;
  EXPECT_EQ(out.find("bootstrap token"), std::string::npos) << out;
  // Once only.
  EXPECT_NE(RunCleanroom({"governance", "init", "--data-dir", dir.path() + "/gov"}, &out), 0);
  EXPECT_NE(out.find("already initialised"), std::string::npos) << out;
  // A founder that is neither an identity nor a certificate.
  EXPECT_NE(RunCleanroom({"governance", "init", "--data-dir", dir.path() + "/other", "--founder",
                          dir.path() + "/nothing"},
                         &out),
            0);
}

}  // namespace
}  // namespace cleanroom::governance::testing
