#include "crypto/cbor.h"

#include <gtest/gtest.h>

#include <cmath>

#include "crypto/tests/test_util.h"

namespace cleanroom::crypto::cbor {
namespace {

using testing::Hex;

std::string EncodeHex(const Value& v) {
  auto r = Encode(v);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? HexEncode(*r) : "";
}

// RFC 8949 Appendix A examples (deterministic forms).
TEST(CborTest, EncodesRfcExamples) {
  EXPECT_EQ(EncodeHex(Value::Int(0)), "00");
  EXPECT_EQ(EncodeHex(Value::Int(23)), "17");
  EXPECT_EQ(EncodeHex(Value::Int(24)), "1818");
  EXPECT_EQ(EncodeHex(Value::Int(1000)), "1903e8");
  EXPECT_EQ(EncodeHex(Value::Int(1000000)), "1a000f4240");
  EXPECT_EQ(EncodeHex(Value::Unsigned(18446744073709551615ULL)), "1bffffffffffffffff");
  EXPECT_EQ(EncodeHex(Value::NegativeArgument(18446744073709551615ULL)), "3bffffffffffffffff");
  EXPECT_EQ(EncodeHex(Value::Int(-1)), "20");
  EXPECT_EQ(EncodeHex(Value::Int(-1000)), "3903e7");
  EXPECT_EQ(EncodeHex(Value::Float(0.0)), "f90000");
  EXPECT_EQ(EncodeHex(Value::Float(-0.0)), "f98000");
  EXPECT_EQ(EncodeHex(Value::Float(1.5)), "f93e00");
  EXPECT_EQ(EncodeHex(Value::Float(65504.0)), "f97bff");
  EXPECT_EQ(EncodeHex(Value::Float(100000.0)), "fa47c35000");
  EXPECT_EQ(EncodeHex(Value::Float(1.1)), "fb3ff199999999999a");
  EXPECT_EQ(EncodeHex(Value::Float(5.960464477539063e-8)), "f90001");
  EXPECT_EQ(EncodeHex(Value::Float(INFINITY)), "f97c00");
  EXPECT_EQ(EncodeHex(Value::Float(NAN)), "f97e00");
  EXPECT_EQ(EncodeHex(Value::Bool(false)), "f4");
  EXPECT_EQ(EncodeHex(Value::Null()), "f6");
  EXPECT_EQ(EncodeHex(Value::Simple(255)), "f8ff");
  EXPECT_EQ(EncodeHex(Value::Tag(1, Value::Int(1363896240))), "c11a514b67b0");
  EXPECT_EQ(EncodeHex(Value::Bytes(Hex("01020304"))), "4401020304");
  EXPECT_EQ(EncodeHex(Value::Text("\xc3\xbc")), "62c3bc");
  EXPECT_EQ(EncodeHex(Value::MakeArray({Value::Int(1), Value::MakeArray({Value::Int(2)})})),
            "82018102");
}

TEST(CborTest, MapKeysAreSortedBytewise) {
  // RFC 8949 section 4.2.1: 10, 100, -1, "z", "aa", [100], [-1], false.
  Value map = Value::MakeMap({{Value::Bool(false), Value::Int(0)},
                              {Value::Text("aa"), Value::Int(0)},
                              {Value::MakeArray({Value::Int(-1)}), Value::Int(0)},
                              {Value::Int(-1), Value::Int(0)},
                              {Value::Int(100), Value::Int(0)},
                              {Value::Text("z"), Value::Int(0)},
                              {Value::MakeArray({Value::Int(100)}), Value::Int(0)},
                              {Value::Int(10), Value::Int(0)}});
  EXPECT_EQ(EncodeHex(map),
            "a80a001864002000617a00626161008118640081200"
            "0f400");
  Value dup = Value::MakeMap({{Value::Int(1), Value::Int(0)}, {Value::Int(1), Value::Int(2)}});
  EXPECT_EQ(Encode(dup).status().code(), StatusCode::kInvalidArgument);
}

TEST(CborTest, RoundTripsThroughStrictDecoder) {
  Value v = Value::Tag(
      18,
      Value::MakeArray({Value::Bytes(Hex("a10126")),
                        Value::MakeMap({{Value::Int(4), Value::Bytes(ToBytes("11"))}}),
                        Value::Text("hello"), Value::Null(), Value::Float(3.25), Value::Int(-500),
                        Value::MakeMap({{Value::Text("b"), Value::Int(1)},
                                        {Value::Text("a"), Value::Int(2)}})}));
  auto bytes = Encode(v);
  ASSERT_TRUE(bytes.ok());
  auto decoded = Decode(*bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  auto again = Encode(*decoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
  EXPECT_EQ(decoded->tag(), 18u);
  EXPECT_EQ(*decoded->tag_content().array()[5].AsInt64(), -500);
  EXPECT_NE(decoded->tag_content().array()[1].Find(4), nullptr);
  EXPECT_EQ(decoded->tag_content().array()[6].Find("a")->AsInt64(), 2);
  // Maps compare as unordered; 0.0 and -0.0 are different keys.
  EXPECT_EQ(Value::MakeMap({{Value::Int(1), Value::Int(2)}, {Value::Int(3), Value::Int(4)}}),
            Value::MakeMap({{Value::Int(3), Value::Int(4)}, {Value::Int(1), Value::Int(2)}}));
  EXPECT_FALSE(Value::Float(0.0) == Value::Float(-0.0));
  auto zeros = Decode(Hex("a2f9000001f9800002"));
  ASSERT_TRUE(zeros.ok()) << zeros.status().ToString();
  EXPECT_EQ(zeros->map().size(), 2u);
}

struct BadInput {
  const char* hex;
  bool lenient_ok;  // Well-formed but not deterministic.
  const char* why;
};

TEST(CborTest, DecoderRefusesBadInputWithOffsets) {
  const BadInput cases[] = {
      {"1817", true, "non-shortest integer"},
      {"190017", true, "non-shortest integer"},
      {"5801ff", true, "non-shortest length"},
      {"5fff", true, "indefinite bstr"},
      {"9fff", true, "indefinite array"},
      {"bf0102ff", true, "indefinite map"},
      {"a202010100", true, "unsorted keys"},
      {"fa3fc00000", true, "non-shortest float"},
      {"f9ff01", true, "NaN with a payload"},
      {"fb7ff8000000000000", true, "double NaN"},
      {"a201000100", false, "duplicate key"},
      {"1c", false, "reserved ai"},
      {"18", false, "truncated head"},
      {"4401", false, "bstr past end"},
      {"62c3", false, "text past end"},
      {"62c328", false, "invalid utf-8"},
      {"9a7fffffff", false, "huge array"},
      {"ff", false, "lone break"},
      {"f818", false, "simple below 32 in two bytes"},
      {"0000", false, "trailing bytes"},
      {"", false, "empty"},
      {"1f", false, "indefinite integer"},
      {"5f01ff", false, "bad chunk"},
  };
  for (const BadInput& c : cases) {
    auto strict = Decode(Hex(c.hex));
    EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument) << c.why;
    EXPECT_NE(strict.status().message().find("offset"), std::string::npos)
        << c.why << ": " << strict.status().message();
    DecodeOptions lenient;
    lenient.strict = false;
    EXPECT_EQ(Decode(Hex(c.hex), lenient).ok(), c.lenient_ok) << c.why;
  }
}

TEST(CborTest, DepthAndSizeLimits) {
  Bytes deep(40, 0x81);
  deep.push_back(0x00);
  auto r = Decode(deep);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nesting"), std::string::npos);
  DecodeOptions small;
  small.max_input_size = 4;
  EXPECT_FALSE(Decode(Hex("4401020304"), small).ok());
  DecodeOptions few;
  few.max_items = 2;
  EXPECT_FALSE(Decode(Hex("83010203"), few).ok());
  EXPECT_TRUE(Decode(Hex("820102"), few).ok());
}

}  // namespace
}  // namespace cleanroom::crypto::cbor
