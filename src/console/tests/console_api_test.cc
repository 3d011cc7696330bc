// The console API's transport-independent parts: path segments and error answers.
#include "console/console_api.h"

#include <gtest/gtest.h>

namespace cleanroom::console {
namespace {

TEST(ConsoleApi, PathSegments) {
  EXPECT_EQ(ApiSegments("/api/runs/r1/result"), (std::vector<std::string>{"runs", "r1", "result"}));
  EXPECT_EQ(ApiSegments("/api/"), (std::vector<std::string>{""}));
  EXPECT_TRUE(ApiSegments("/index.html").empty());
  EXPECT_TRUE(ApiSegments("/apix/runs").empty());
  EXPECT_TRUE(IsPlainSegment("q12"));
  EXPECT_TRUE(IsPlainSegment("customer_2024"));
  for (const std::string& bad :
       std::vector<std::string>{"", "..", "a/b", "a b", "q1%2F", "a.b", std::string(129, 'a')}) {
    EXPECT_FALSE(IsPlainSegment(bad)) << bad;
  }
}

TEST(ConsoleApi, ErrorsAsGovernanceAnswersThem) {
  ApiResponse denied =
      ErrorResponse(Status::PermissionDenied("console: a request from another origin"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(
      denied.body,
      R"({"error":{"code":"PermissionDenied","message":"console: a request from another origin"}})");
  EXPECT_EQ(ErrorResponse(Status::FailedPrecondition("consent off")).status, 409);
  EXPECT_EQ(ErrorResponse(Status::Unauthenticated("x")).status, 401);
  // A message that is not UTF-8 is answered, not thrown on.
  ApiResponse odd = ErrorResponse(Status::InvalidArgument(std::string("bad \xff byte")));
  EXPECT_EQ(odd.status, 400);
  EXPECT_NE(odd.body.find("bad \xEF\xBF\xBD byte"), std::string::npos) << odd.body;
}

}  // namespace
}  // namespace cleanroom::console
