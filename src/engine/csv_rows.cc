#include "engine/csv_rows.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/file.h"

namespace cleanroom::engine {
namespace {

// An RFC 4180 record scanner fed one byte at a time; bounded state, no field text kept.
class RecordScanner {
 public:
  explicit RecordScanner(const CsvOptions& csv) : csv_(csv) {}

  // Consumes one byte; returns an error for the record being read.
  Status Feed(char c) {
    if (c == '\n') ++line_;
    switch (state_) {
      case State::kFieldStart:
        if (c == csv_.quote) {
          state_ = State::kQuoted;
          return Status::OK();
        }
        state_ = State::kUnquoted;
        return Unquoted(c);
      case State::kUnquoted:
        return Unquoted(c);
      case State::kQuoted:
        if (csv_.escape != csv_.quote && c == csv_.escape) {
          state_ = State::kEscaped;
        } else if (c == csv_.quote) {
          state_ = State::kQuoteInQuoted;
        }
        return Status::OK();
      case State::kEscaped:
        state_ = State::kQuoted;
        return Status::OK();
      case State::kQuoteInQuoted:
        if (csv_.escape == csv_.quote && c == csv_.quote) {  // a doubled quote
          state_ = State::kQuoted;
          return Status::OK();
        }
        if (c == csv_.delimiter || c == '\n') return EndField(c);
        return Error("text follows a closing quote");
    }
    return Status::OK();
  }

  // At the end of the file.
  Status Finish() {
    if (state_ == State::kQuoted || state_ == State::kEscaped) {
      return Error("a quoted field is not closed");
    }
    if (state_ != State::kFieldStart || fields_ > 0) return EndField('\n');
    return Status::OK();
  }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kEscaped, kQuoteInQuoted };

  // A quote inside an unquoted field is data (DuckDB's strict reader takes it too).
  Status Unquoted(char c) {
    if (c == csv_.delimiter || c == '\n') return EndField(c);
    return Status::OK();
  }

  Status EndField(char c) {
    ++fields_;
    state_ = State::kFieldStart;
    if (c != '\n') return Status::OK();
    // An empty line is not a record.
    bool empty = fields_ == 1 && empty_record_;
    if (!empty) {
      if (expected_ < 0) expected_ = fields_;
      if (fields_ != expected_) {
        return Error("the record has " + std::to_string(fields_) + " field" +
                     (fields_ == 1 ? "" : "s") + " where the first has " +
                     std::to_string(expected_));
      }
    }
    fields_ = 0;
    record_line_ = line_;  // the line end was counted
    empty_record_ = true;
    return Status::OK();
  }

  Status Error(const std::string& what) const {
    return Status::InvalidArgument("line " + std::to_string(record_line_) + ": " + what);
  }

 public:
  // Whether the record read so far has no byte but a line end (set false by NoteByte).
  void NoteByte(char c) {
    if (c != '\n' && c != '\r') empty_record_ = false;
  }

 private:
  const CsvOptions& csv_;
  State state_ = State::kFieldStart;
  int64_t line_ = 1;         // the line being read
  int64_t record_line_ = 1;  // the line the current record starts on
  int64_t fields_ = 0;
  int64_t expected_ = -1;
  bool empty_record_ = true;
};

}  // namespace

Status FindMalformedCsvRecord(const std::string& path, const CsvOptions& csv) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("input " + path + ": " + ErrnoText(errno));
  RecordScanner scanner(csv);
  std::vector<char> block(1 << 20);
  Status status;
  while (status.ok()) {
    ssize_t n = ::read(fd, block.data(), block.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Status::Internal("input " + path + ": " + ErrnoText(errno));
      break;
    }
    if (n == 0) {
      status = scanner.Finish();
      break;
    }
    for (ssize_t i = 0; i < n && status.ok(); ++i) {
      // A CR is part of the line end that follows it.
      if (block[i] == '\r' && (i + 1 < n ? block[i + 1] == '\n' : true)) continue;
      scanner.NoteByte(block[i]);
      status = scanner.Feed(block[i]);
    }
  }
  ::close(fd);
  return status;
}

}  // namespace cleanroom::engine
