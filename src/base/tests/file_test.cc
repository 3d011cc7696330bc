#include "base/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace cleanroom {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cleanroom-file-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  size_t CountFiles() {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir_)) ++n;
    return n;
  }
  std::string dir_;
};

TEST_F(FileTest, AtomicWriteAndRead) {
  std::string path = dir_ + "/out.txt";
  ASSERT_TRUE(WriteFileAtomic(path, "hello").ok());
  EXPECT_EQ(*ReadFileToString(path), "hello");
  ASSERT_TRUE(WriteFileAtomic(path, "again").ok());
  EXPECT_EQ(*ReadFileToString(path), "again");
  EXPECT_EQ(CountFiles(), 1u);
}

TEST_F(FileTest, AbandonedWriterLeavesNothing) {
  std::string path = dir_ + "/partial.bin";
  {
    AtomicFileWriter w;
    ASSERT_TRUE(w.Open(path).ok());
    ASSERT_TRUE(w.Append(std::string_view("half")).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(CountFiles(), 0u);
}

TEST_F(FileTest, MissingFileIsNotFound) {
  Result<std::string> r = ReadFileToString(dir_ + "/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace cleanroom
