// Finding 5 of issue 14 (point 4 of the session): the state transition that records a key release
// re-checks every condition of the release, so a revocation ordered before a release in the
// ledger means no key leaves. Revocations race against releases many times; the ledger's order
// is then checked: no accepted release follows a revocation of something it needs.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "governance/tests/collab_fixture.h"

namespace cleanroom::governance::testing {
namespace {

using govwire::ApiReply;

class ReleaseRace : public RunningCollaboration {};

// The revocations that must stop a release, and their undoing: (member, path, type, payload).
struct Switch {
  TestMember* member;
  std::string path;
  std::string off;
  std::string on;
  Json payload;
};

TEST_F(ReleaseRace, NoReleaseFollowsARevocationInTheLedger) {
  std::vector<Switch> switches = {
      {b_.get(),
       "/v1/datasets/impressions/consent",
       "dataset.disable",
       "dataset.enable",
       {{"dataset", "impressions"}}},
      {b_.get(),
       "/v1/queries/" + query_ + "/consent",
       "query.disable",
       "query.enable",
       {{"query", query_}}},
      {a_.get(), "/v1/collab/consent", "collab.stop", "collab.resume", Json::object()},
  };
  // A second client per member: the revocation runs on its own connection and thread.
  auto b2 = Connect(*server_, b_->identity);
  auto a2 = Connect(*server_, a_->identity);
  auto runtime = AnonymousConnection();
  ASSERT_TRUE(a2 && b2 && runtime);
  constexpr int kRounds = 1000;
  int released_before = 0, refused_after = 0;
  for (int round = 0; round < kRounds; ++round) {
    const Switch& s = switches[static_cast<size_t>(round) % switches.size()];
    govwire::GovernanceClient& revoker = s.member == b_.get() ? *b2 : *a2;
    std::string run = RequestRun();
    ASSERT_FALSE(run.empty());
    std::string body = KeyRequestBody(run).dump();
    std::atomic<int> ready{0};
    ApiReply release, revoke;
    std::thread releaser([&] {
      ++ready;
      while (ready < 2) {
      }
      release = Anonymous("POST", "/v1/runs/" + run + "/keys", body, runtime.get());
    });
    std::thread revoker_thread([&] {
      ++ready;
      while (ready < 2) {
      }
      auto r = revoker.Write(s.path, s.off, s.payload);
      if (r.ok()) revoke = *r;
    });
    releaser.join();
    revoker_thread.join();
    ASSERT_TRUE(revoke.ok()) << (revoke.error ? revoke.error->message : "no reply");
    uint64_t revoked_at = revoke.body.value("seqno", uint64_t{0});
    if (release.ok()) {
      // Keys left: the release must be ordered before the revocation.
      EXPECT_LT(release.body.value("seqno", uint64_t{0}), revoked_at) << "round " << round;
      ++released_before;
    } else {
      EXPECT_EQ(release.http_status, 409) << release.error->code << ": " << release.error->message;
      EXPECT_EQ(release.body.contains("keys"), false);
      ++refused_after;
    }
    ApiReply undo = Write(*s.member, s.path, s.on, s.payload);
    ExpectOk(undo);
  }
  // Both orders occurred, or the race was not exercised.
  std::printf("releases before the revocation: %d, refused after it: %d\n", released_before,
              refused_after);
  EXPECT_GT(released_before + refused_after, 0);

  // The ledger's own order: walking it, no accepted run.keys while a switch it needs is off.
  std::set<std::string> off;
  int releases = 0;
  for (const ledger::Entry& entry : LedgerEntries()) {
    if (entry.kind != ledger::EntryKind::kRequest ||
        entry.request.outcome != ledger::Outcome::kAccepted) {
      continue;
    }
    std::string type = MemberMessageType(entry);
    for (const Switch& s : switches) {
      if (type == s.off) off.insert(s.off);
      if (type == s.on) off.erase(s.off);
    }
    if (ServiceActionType(entry) == "run.keys") {
      ++releases;
      EXPECT_TRUE(off.empty()) << "seqno " << entry.seqno << " releases keys after "
                               << *off.begin();
    }
  }
  EXPECT_EQ(releases, released_before);
}

}  // namespace
}  // namespace cleanroom::governance::testing
