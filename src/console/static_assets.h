#pragma once

#include <map>
#include <string>

#include "base/status.h"

namespace cleanroom::console {

// One file of the built front end.
struct Asset {
  std::string content_type;
  std::string body;
};

// The built web app (index.html, assets/...), read into memory once at launch: the set of
// files served is fixed then, and no request path ever reaches the file system.
class StaticAssets {
 public:
  // Reads every regular file under `directory` (symbolic links are not followed). NotFound when
  // it holds no index.html (the front end was not built); InvalidArgument past 64 MiB in all.
  static Result<StaticAssets> Load(const std::string& directory);

  // The asset at a request path ("/" is "/index.html"); nullptr when there is none.
  const Asset* Find(const std::string& path) const;
  size_t size() const { return assets_.size(); }

 private:
  std::map<std::string, Asset> assets_;  // by "/relative/path"
};

}  // namespace cleanroom::console
