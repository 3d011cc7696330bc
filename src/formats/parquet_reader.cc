#include "formats/parquet_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "base/file.h"
#include "base/thread_pool.h"
#include "formats/parquet_assembly.h"
#include "formats/parquet_column_reader.h"

namespace cleanroom::formats {

// A read-only memory mapping of a whole file.
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path, bool populate) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT) return Status::NotFound("no such file: " + path);
      return Status::InvalidArgument("cannot open " + path + ": " + ErrnoText(err));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::InvalidArgument("not a regular file: " + path);
    }
    auto file = std::unique_ptr<MappedFile>(new MappedFile());
    file->size_ = static_cast<size_t>(st.st_size);
    if (file->size_ > 0) {
      // Populating maps the whole file at once instead of one fault per few pages (about 4%
      // of verification's CPU time), worth it only when every byte will be read.
      void* p =
          mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        return Status::InvalidArgument("cannot map " + path + ": " + ErrnoText(err));
      }
      file->data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
    return file;
  }
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
  }
  ByteSpan bytes() const { return ByteSpan(data_, size_); }
  // Drops the whole pages inside [offset, offset + length) from the mapping (the file's pages
  // fault in again if read).
  void Release(uint64_t offset, uint64_t length) const {
    const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
    const uint64_t begin = (offset + page - 1) / page * page;
    const uint64_t end = std::min<uint64_t>(offset + length, size_) / page * page;
    if (data_ == nullptr || end <= begin) return;
    ::madvise(const_cast<uint8_t*>(data_) + begin, end - begin, MADV_DONTNEED);
  }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

ParquetReader::~ParquetReader() = default;

void ParquetReader::ReleaseFilePages(uint64_t offset, uint64_t length) const {
  if (mapped_) mapped_->Release(offset, length);
}

ByteSpan ParquetReader::bytes() const {
  if (mapped_) return mapped_->bytes();
  return span_ ? *span_ : AsBytes(buffer_);
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(const std::string& path, bool read_all,
                                                           std::string name) {
  auto reader = std::unique_ptr<ParquetReader>(new ParquetReader());
  // Not `empty ? path : std::move(name)`: that expression is a const string, which copies.
  if (name.empty()) {
    reader->name_ = path;
  } else {
    reader->name_ = std::move(name);
  }
  CR_ASSIGN_OR_RETURN(reader->mapped_, MappedFile::Open(path, read_all));
  CR_RETURN_IF_ERROR(reader->Init());
  return reader;
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::OpenBuffer(std::string contents,
                                                                 std::string name) {
  auto reader = std::unique_ptr<ParquetReader>(new ParquetReader());
  reader->name_ = std::move(name);
  reader->buffer_ = std::move(contents);
  CR_RETURN_IF_ERROR(reader->Init());
  return reader;
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::OpenSpan(ByteSpan data, std::string name) {
  auto reader = std::unique_ptr<ParquetReader>(new ParquetReader());
  reader->name_ = std::move(name);
  reader->span_ = data;
  CR_RETURN_IF_ERROR(reader->Init());
  return reader;
}

Status ParquetReader::Init() {
  ByteSpan file = bytes();
  const std::string what = "file " + name_;
  if (file.size() < 12) return Status::DataLoss(what + ": too short to be Parquet");
  if (std::memcmp(file.data() + file.size() - 4, "PARE", 4) == 0) {
    return Status::Unimplemented(what + ": encrypted Parquet footers are not supported");
  }
  if (std::memcmp(file.data(), "PAR1", 4) != 0 ||
      std::memcmp(file.data() + file.size() - 4, "PAR1", 4) != 0) {
    return Status::DataLoss(what + ": missing the PAR1 magic");
  }
  uint32_t footer_length = GetU32LE(file.data() + file.size() - 8);
  if (footer_length > file.size() - 12)
    return Status::DataLoss(what + ": footer length exceeds the file");
  ByteSpan footer = file.subspan(file.size() - 8 - footer_length, footer_length);
  CR_ASSIGN_OR_RETURN(meta_, ParseFileMetaData(footer, what));
  if (meta_.encrypted)
    return Status::Unimplemented(what + ": encrypted Parquet files are not supported");
  CR_ASSIGN_OR_RETURN(schema_, ParquetSchema::Build(meta_, what));
  for (size_t g = 0; g < meta_.row_groups.size(); ++g) {
    const RowGroup& rg = meta_.row_groups[g];
    std::string where = what + ", row group " + std::to_string(g);
    if (rg.num_rows < 0) return Status::DataLoss(where + ": negative row count");
    if (rg.columns.size() != schema_.leaves().size()) {
      return Status::DataLoss(where + ": column count differs from the schema's");
    }
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const ColumnChunk& chunk = rg.columns[c];
      if (chunk.encrypted)
        return Status::Unimplemented(where + ": encrypted columns are not supported");
      if (chunk.meta_data && chunk.meta_data->path_in_schema.size() > 0) {
        std::string path;
        for (const auto& part : chunk.meta_data->path_in_schema)
          path += (path.empty() ? "" : ".") + part;
        if (path != schema_.leaves()[c].path) {
          return Status::DataLoss(where + ", column " + schema_.leaves()[c].path +
                                  ": path differs from the schema's");
        }
      }
    }
  }
  return Status::OK();
}

int64_t ParquetReader::num_rows() const {
  int64_t total = 0;
  for (const RowGroup& g : meta_.row_groups) total += g.num_rows;
  return total;
}

Result<RecordBatch> ParquetReader::ReadRowGroup(int row_group,
                                                const std::vector<int>& projection) const {
  return ReadRowGroup(row_group, projection, RecordBatch{});
}

Result<RecordBatch> ParquetReader::ReadRowGroup(int row_group, const std::vector<int>& projection,
                                                RecordBatch&& recycled) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument("row group " + std::to_string(row_group) + " does not exist");
  }
  std::vector<int> fields = projection;
  if (fields.empty()) {
    for (size_t f = 0; f < schema_.fields().size(); ++f) fields.push_back(static_cast<int>(f));
  }
  const RowGroup& rg = meta_.row_groups[row_group];
  std::vector<ColumnChunkData> chunks(schema_.leaves().size());
  std::vector<ColumnVector> dense(schema_.leaves().size());
  RecordBatch batch;
  batch.num_rows = static_cast<size_t>(rg.num_rows);
  for (size_t k = 0; k < fields.size(); ++k) {
    int f = fields[k];
    if (f < 0 || static_cast<size_t>(f) >= schema_.fields().size()) {
      return Status::InvalidArgument("projected field " + std::to_string(f) + " does not exist");
    }
    const std::vector<int>& leaves = schema_.FieldLeaves(f);
    if (k < recycled.columns.size() && leaves.size() == 1 && recycled.columns[k].children.empty()) {
      // A flat field's values buffer comes back as its leaf's (fixed or heap) buffer.
      ValueBuffer& values = chunks[leaves[0]].values;
      Bytes& reuse = schema_.leaves()[leaves[0]].physical == PhysicalType::kByteArray
                         ? values.heap
                         : values.fixed;
      reuse = std::move(recycled.columns[k].data);
    }
    for (int leaf : leaves) {
      const LeafColumn& column = schema_.leaves()[leaf];
      ChunkLocation where{name_, row_group, column.path};
      CR_RETURN_IF_ERROR(ReadColumnChunk(bytes(), rg.columns[leaf], column, rg.num_rows,
                                         ReadMode::kMaterialize, where, &chunks[leaf]));
      Status converted = ConvertLeaf(column, std::move(chunks[leaf].values), &dense[leaf]);
      if (!converted.ok())
        return Status(converted.code(), where.ToString() + ": " + converted.message());
      chunks[leaf].values = ValueBuffer{};
    }
    ColumnVector vector;
    Status assembled =
        AssembleField(schema_, schema_.plans()[f], chunks, dense, batch.num_rows, &vector);
    if (!assembled.ok()) {
      return Status(assembled.code(), "file " + name_ + ", row group " + std::to_string(row_group) +
                                          ", field " + schema_.fields()[f].name + ": " +
                                          assembled.message());
    }
    batch.fields.push_back(schema_.fields()[f]);
    batch.columns.push_back(std::move(vector));
  }
  return batch;
}

Status ParquetReader::VerifyRowGroup(int row_group, const std::vector<bool>* leaves) const {
  if (row_group < 0 || row_group >= num_row_groups()) {
    return Status::InvalidArgument("row group " + std::to_string(row_group) + " does not exist");
  }
  const RowGroup& rg = meta_.row_groups[row_group];
  ColumnChunkData chunk;
  for (size_t leaf = 0; leaf < schema_.leaves().size(); ++leaf) {
    if (leaves != nullptr && (leaf >= leaves->size() || !(*leaves)[leaf])) continue;
    const LeafColumn& column = schema_.leaves()[leaf];
    ChunkLocation where{name_, row_group, column.path};
    CR_RETURN_IF_ERROR(ReadColumnChunk(bytes(), rg.columns[leaf], column, rg.num_rows,
                                       ReadMode::kVerify, where, &chunk));
    const auto& meta = rg.columns[leaf].meta_data;
    if (mapped_ && meta && meta->total_compressed_size > 0) {
      int64_t start = meta->data_page_offset;
      if (meta->dictionary_page_offset && *meta->dictionary_page_offset > 0) {
        start = std::min(start, *meta->dictionary_page_offset);
      }
      if (start >= 0) {
        ReleaseFilePages(static_cast<uint64_t>(start),
                         static_cast<uint64_t>(meta->total_compressed_size));
      }
    }
  }
  return Status::OK();
}

Status ParquetReader::Verify(size_t threads, const std::vector<bool>* leaves) const {
  int groups = num_row_groups();
  if (groups == 0) return Status::OK();
  if (groups == 1 || threads == 1) {
    for (int g = 0; g < groups; ++g) CR_RETURN_IF_ERROR(VerifyRowGroup(g, leaves));
    return Status::OK();
  }
  std::vector<Status> results(groups);
  std::atomic<bool> failed{false};
  {
    ThreadPool pool(threads);
    for (int g = 0; g < groups; ++g) {
      pool.Submit([this, g, leaves, &results, &failed] {
        if (failed.load()) return;
        results[g] = VerifyRowGroup(g, leaves);
        if (!results[g].ok()) failed = true;
      });
    }
    pool.Wait();
  }
  for (const Status& s : results) CR_RETURN_IF_ERROR(s);
  return Status::OK();
}

Status VerifyParquetFile(const std::string& path, size_t threads) {
  CR_ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(path, /*read_all=*/true));
  return reader->Verify(threads);
}

}  // namespace cleanroom::formats
