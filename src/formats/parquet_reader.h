#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "formats/column_vector.h"
#include "formats/parquet_metadata.h"
#include "formats/parquet_schema.h"

namespace cleanroom::formats {

// A file format behind one interface (the Velox habit): a schema of top-level fields and
// columnar batches per row group, with projection. Implementations are immutable once open
// and may be read from several threads at once.
class FormatReader {
 public:
  virtual ~FormatReader() = default;
  virtual const std::vector<Field>& fields() const = 0;
  virtual int num_row_groups() const = 0;
  virtual int64_t num_rows() const = 0;
  virtual int64_t row_group_rows(int row_group) const = 0;
  // Reads the fields listed in `projection` (indices into fields(), in that order; empty means
  // all) of one row group. The whole row group is validated as it is decoded.
  virtual Result<RecordBatch> ReadRowGroup(int row_group,
                                           const std::vector<int>& projection) const = 0;
};

class MappedFile;

// The validating Parquet reader. Open() checks the footer and schema; every page read is
// checked (CRC, sizes, levels, dictionary indices, statistics); any corruption is DataLoss
// naming the file, row group, column and page. Thread-safe after Open.
class ParquetReader : public FormatReader {
 public:
  // Maps the file at `path`. NotFound when absent; DataLoss when the footer is corrupt;
  // Unimplemented for encrypted files. `read_all`: the caller will read every page
  // (verification), so the whole file is faulted in at once.
  // `name`, when not empty, is used in error messages instead of the path.
  static Result<std::unique_ptr<ParquetReader>> Open(const std::string& path, bool read_all = false,
                                                     std::string name = "");
  // Reads from bytes in memory; `name` is used in error messages.
  static Result<std::unique_ptr<ParquetReader>> OpenBuffer(std::string contents, std::string name);
  // Reads bytes the caller owns, without copying them (decrypted inputs held in memory).
  // REQUIRES: `data` outlives the reader.
  static Result<std::unique_ptr<ParquetReader>> OpenSpan(ByteSpan data, std::string name);
  ~ParquetReader() override;

  const std::vector<Field>& fields() const override { return schema_.fields(); }
  int num_row_groups() const override { return static_cast<int>(meta_.row_groups.size()); }
  int64_t num_rows() const override;
  int64_t row_group_rows(int row_group) const override {
    return meta_.row_groups[row_group].num_rows;
  }
  Result<RecordBatch> ReadRowGroup(int row_group,
                                   const std::vector<int>& projection) const override;
  // The same, reusing the buffers of `recycled` (a batch the caller is done with, read with the
  // same projection) to avoid allocating and faulting in fresh memory per row group.
  Result<RecordBatch> ReadRowGroup(int row_group, const std::vector<int>& projection,
                                   RecordBatch&& recycled) const;

  // Validates one row group without building vectors (the verify fast path: pages are
  // decompressed and decoded once, dictionary values are not gathered). A mapped file's pages
  // are released once their chunk is validated (the memory verification holds is bounded by
  // the chunks in flight).
  // With `leaves` (one flag per leaf column), only the column chunks of the flagged leaves.
  Status VerifyRowGroup(int row_group, const std::vector<bool>* leaves = nullptr) const;
  // Validates every row group, `threads` at a time (0: one per hardware thread). Returns the
  // first failure in row-group order. With `leaves`, only the flagged leaves' chunks.
  Status Verify(size_t threads = 0, const std::vector<bool>* leaves = nullptr) const;

  // The whole file's bytes (valid while the reader lives).
  ByteSpan data() const { return bytes(); }
  // For a reader of a mapped file (Open): lets the kernel drop the mapped pages of that byte
  // range from this process (they are read again from the file if touched). Nothing for bytes
  // in memory (OpenBuffer, OpenSpan). For a caller done with a range, e.g. a validated chunk
  // already copied into an image.
  void ReleaseFilePages(uint64_t offset, uint64_t length) const;
  const FileMetaData& metadata() const { return meta_; }
  const ParquetSchema& schema() const { return schema_; }
  const std::string& name() const { return name_; }

 private:
  ParquetReader() = default;
  Status Init();
  ByteSpan bytes() const;
  Status CheckRowGroup(int row_group) const;

  std::string name_;
  std::string buffer_;
  std::optional<ByteSpan> span_;
  std::unique_ptr<MappedFile> mapped_;
  FileMetaData meta_;
  ParquetSchema schema_;
};

// Opens and verifies the Parquet file at `path` (the check run before DuckDB reads an input).
Status VerifyParquetFile(const std::string& path, size_t threads = 0);

}  // namespace cleanroom::formats
