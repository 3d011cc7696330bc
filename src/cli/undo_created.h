#pragma once

#include <string>
#include <vector>

namespace cleanroom::cli {

// A failed command leaves nothing behind (issue 20). Watches `paths`, noting which exist now;
// unless Keep() is called, its destructor removes what the command created: a watched path that
// did not exist, or, for a folder that did, the entries inside it that were not there before
// (a data folder's new ledger, a storage root's new dataset folders). Declare it before the
// objects that hold files open, so that they close first.
class UndoCreated {
 public:
  explicit UndoCreated(std::vector<std::string> paths);
  UndoCreated(const UndoCreated&) = delete;
  UndoCreated& operator=(const UndoCreated&) = delete;
  ~UndoCreated();

  // The command succeeded: keep what it made.
  void Keep() { keep_ = true; }

 private:
  struct Watched {
    std::string path;
    bool existed = false;
    std::vector<std::string> entries;  // of an existing folder, before the command
  };
  std::vector<Watched> watched_;
  bool keep_ = false;
};

}  // namespace cleanroom::cli
