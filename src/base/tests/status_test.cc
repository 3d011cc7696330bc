#include "base/status.h"

#include <gtest/gtest.h>

namespace cleanroom {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd value at position 3");
  return v / 2;
}

Result<int> Quarter(int v) {
  CR_ASSIGN_OR_RETURN(int h, Half(v));
  CR_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int v) {
  CR_RETURN_IF_ERROR(Half(v).status());
  return Status::OK();
}

TEST(StatusTest, OkAndCodes) {
  EXPECT_TRUE(Status::OK().ok());
  Status s = Status::DataLoss("chunk 4 fails authentication");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.ToString(), "DataLoss: chunk 4 fails authentication");
  EXPECT_EQ(s.WithContext("file a.enc").message(), "file a.enc: chunk 4 fails authentication");
  EXPECT_EQ(StatusCodeName(StatusCode::kPermissionDenied), "PermissionDenied");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, ResultFromOkStatusIsInternal) {
  Result<int> r = Status::OK();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace cleanroom
