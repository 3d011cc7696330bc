#include "base/bytes.h"

#include <gtest/gtest.h>

namespace cleanroom {
namespace {

TEST(BytesTest, HexRoundTrip) {
  Bytes b = {0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), b);
  EXPECT_FALSE(HexDecode("abc").ok());
  Result<Bytes> bad = HexDecode("zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("offset 0"), std::string::npos);
}

TEST(BytesTest, Base64Rfc4648Vectors) {
  // RFC 4648 section 10.
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Base64Encode(AsBytes(plain[i])), enc[i]);
    EXPECT_EQ(*Base64Decode(enc[i]), ToBytes(plain[i]));
  }
  EXPECT_EQ(Base64UrlEncode(Bytes{0xfb, 0xff}), "-_8");
  EXPECT_EQ(*Base64Decode("-_8"), (Bytes{0xfb, 0xff}));
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
}

TEST(BytesTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals(AsBytes("abc"), AsBytes("abc")));
  EXPECT_FALSE(ConstantTimeEquals(AsBytes("abc"), AsBytes("abd")));
  EXPECT_FALSE(ConstantTimeEquals(AsBytes("abc"), AsBytes("ab")));
}

TEST(BytesTest, SecureWipeZeroes) {
  Bytes key = {1, 2, 3, 4};
  SecureWipe(key);
  EXPECT_EQ(key, (Bytes{0, 0, 0, 0}));
}

TEST(BytesTest, Endian) {
  uint8_t buf[8];
  PutU32BE(buf, 0x01020304);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(GetU32BE(buf), 0x01020304u);
  PutU64LE(buf, 0x0102030405060708ull);
  EXPECT_EQ(buf[0], 8);
  EXPECT_EQ(GetU64LE(buf), 0x0102030405060708ull);
}

}  // namespace
}  // namespace cleanroom
