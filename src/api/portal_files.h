#pragma once
//! The portal's files (web/dist, built from web/ with Vite): read once into memory when the
//! server starts, served at GET /portal/ and GET /portal/<file>; GET / redirects to /portal/.
//! The one place where a request path becomes a file name (PortalFileName) and where the
//! files' headers are decided (content type, Cache-Control, CSP, nosniff). Only files read at
//! start are ever served: a path names an entry of the in-memory table or nothing, so no
//! request can reach a file outside the directory, whatever it spells.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/context.h"
#include "core/result.h"

namespace sluice {

//! Whether the router hands `path` (no query, still percent-encoded) to the portal: "/",
//! "/portal" and everything under "/portal/".
bool IsPortalPath(std::string_view path);

//! The file a portal path names, relative to the web directory: "index.html" for "/portal" and
//! "/portal/", else the rest after "/portal/" ("assets/index-3f2a.js"). At most two segments,
//! each 1-100 characters of [A-Za-z0-9._-] not starting with '.'; anything else is a 400
//! InvalidRequest naming "path": "..", percent-escapes (%2e%2e, %2f, %00 and every other: no
//! portal file needs one), backslashes, NUL and other control bytes, empty segments ("//"),
//! a path that is not under /portal/. Never throws.
Result<std::string> PortalFileName(std::string_view path);

//! The web directory to serve when [portal] dir is empty: the first of /usr/share/sluice/web
//! (the Debian package) and the source tree's web/dist (SLUICE_WEB_DIST_DIR, a compile
//! definition) that holds index.html; "" when neither does.
std::string DefaultPortalDir();

class PortalFiles {
 public:
  //! Reads every regular file of `dir` and of its subdirectories one level down whose names
  //! PortalFileName accepts (symbolic links and other names are skipped). An error when `dir`
  //! cannot be read or has no index.html.
  static Result<PortalFiles> Load(const std::string& dir);

  //! The answer to a request under IsPortalPath: GET / → 302 to /portal/; GET /portal/ →
  //! index.html; GET /portal/<file> → the file; a method other than GET → 405; a
  //! name PortalFileName refuses → 400; a name not in the table → 404 (resource "file").
  //! The errors as Status, for the router's problem response.
  Result<ApiResponse> Get(std::string_view method, std::string_view path) const;

  size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  std::map<std::string, File, std::less<>> files_;
};

//! The content type for a file name, by extension (application/octet-stream when unknown).
std::string_view PortalContentType(std::string_view name);

}  // namespace sluice
