#include "base/file_mode.h"

#include <sys/stat.h>

#include <cstdio>

namespace cleanroom {

Status CheckOwnerOnly(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return Status::OK();
  bool folder = S_ISDIR(st.st_mode);
  if (!folder && !S_ISREG(st.st_mode)) return Status::OK();
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return Status::InvalidArgument(path + (folder ? " may be used" : " may be read") +
                                 " by others (mode " + mode + "): chmod " +
                                 (folder ? "700" : "600") + " it");
}

}  // namespace cleanroom
