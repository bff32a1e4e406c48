#include "api/portal_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace sluice {

namespace {

constexpr std::string_view kPrefix = "/portal/";
constexpr size_t kMaxSegment = 100;
constexpr size_t kMaxSegments = 2;
constexpr size_t kMaxFileBytes = 16 << 20;  // a built asset; anything larger is not ours

// Script, style, images, fetch: this origin only; no inline script, no frame, no plugin.
constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

bool SegmentOk(std::string_view s) {
  if (s.empty() || s.size() > kMaxSegment || s.front() == '.') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

Status BadPath(std::string_view path, std::string why) {
  // The value is echoed in the problem: keep it printable and short.
  std::string shown;
  for (char c : path.substr(0, 200)) shown += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return InvalidRequest("path", shown, "The portal path " + why + ".");
}

std::string CacheControl(std::string_view name) {
  // Vite names what it builds under assets/ by content hash: such a name never changes meaning.
  if (name.starts_with("assets/")) return "public, max-age=31536000, immutable";
  return "no-cache";
}

}  // namespace

bool IsPortalPath(std::string_view path) {
  return path == "/" || path == "/portal" || path.starts_with(kPrefix);
}

Result<std::string> PortalFileName(std::string_view path) {
  if (path == "/portal" || path == kPrefix) return std::string("index.html");
  if (!path.starts_with(kPrefix)) return BadPath(path, "is not under /portal/");
  std::string_view rest = path.substr(kPrefix.size());
  for (char c : rest) {
    if (c == '%') return BadPath(path, "has a percent-escape (no portal file needs one)");
    if (c == '\\') return BadPath(path, "has a backslash");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return BadPath(path, "has a control character");
  }
  size_t segments = 0;
  size_t start = 0;
  while (true) {
    size_t slash = rest.find('/', start);
    std::string_view seg = rest.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg == "..") return BadPath(path, "has a '..' segment");
    if (!SegmentOk(seg))
      return BadPath(path, "has a segment that is empty, starts with '.', is longer than 100 characters or has a "
                           "character other than letters, digits, '.', '_' and '-'");
    if (++segments > kMaxSegments) return BadPath(path, "has more than two segments under /portal/");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return std::string(rest);
}

std::string DefaultPortalDir() {
  std::vector<std::string> candidates = {"/usr/share/sluice/web"};
#ifdef SLUICE_WEB_DIST_DIR
  candidates.emplace_back(SLUICE_WEB_DIST_DIR);
#endif
  for (const std::string& dir : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(std::filesystem::path(dir) / "index.html", ec)) return dir;
  }
  return "";
}

std::string_view PortalContentType(std::string_view name) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},               {".png", "image/png"},
      {".ico", "image/x-icon"},                {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},                {".webmanifest", "application/manifest+json"},
  };
  for (const Type& t : kTypes)
    if (name.ends_with(t.ext)) return t.type;
  return "application/octet-stream";
}

Result<PortalFiles> PortalFiles::Load(const std::string& dir) {
  namespace fs = std::filesystem;
  PortalFiles out;
  std::error_code ec;
  auto read_dir = [&](const fs::path& d, const std::string& prefix, int depth, auto& self) -> Status {
    fs::directory_iterator it(d, ec);
    if (ec) return CommandError("portal dir " + d.string() + ": " + ec.message());
    for (const fs::directory_entry& e : it) {
      std::string name = e.path().filename().string();
      if (!SegmentOk(name)) continue;
      fs::file_status st = e.symlink_status(ec);
      if (ec) return CommandError("portal dir " + e.path().string() + ": " + ec.message());
      if (fs::is_directory(st)) {
        if (depth + 1 < int(kMaxSegments)) {
          if (Status s = self(e.path(), prefix + name + "/", depth + 1, self); !s.ok()) return s;
        }
        continue;
      }
      if (!fs::is_regular_file(st)) continue;  // symbolic links, devices, sockets: never served
      if (e.file_size(ec) > kMaxFileBytes || ec) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::ostringstream body;
      body << in.rdbuf();
      if (!in.good() && !in.eof()) return CommandError("portal file " + e.path().string() + ": cannot be read");
      std::string key = prefix + name;
      out.files_[key] = File{std::string(PortalContentType(key)), std::move(body).str()};
    }
    return Status();
  };
  if (Status s = read_dir(fs::path(dir), "", 0, read_dir); !s.ok()) return s;
  if (!out.files_.contains("index.html")) return CommandError("portal dir " + dir + ": no index.html");
  return out;
}

Result<ApiResponse> PortalFiles::Get(std::string_view method, std::string_view path) const {
  if (method != "GET") return MethodNotAllowed("GET");
  if (path == "/") {
    ApiResponse r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "/portal/\n";
    r.headers.emplace_back("Location", "/portal/");
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  Result<std::string> name = PortalFileName(path);
  if (!name.ok()) return name.status();
  auto it = files_.find(*name);
  if (it == files_.end())
    return NotFound("file", "path", std::string(path), "The portal has no file " + *name + ".");
  ApiResponse r;
  r.status = 200;
  r.content_type = it->second.content_type;
  r.body = it->second.body;
  r.headers.emplace_back("Cache-Control", CacheControl(*name));
  r.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  return r;
}

}  // namespace sluice
