#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace sluice::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

// The server's stderr, kept by the thread that drains it (so the server never blocks on it).
struct ServerLog {
  static constexpr size_t kMax = 16 << 20;
  std::mutex mu;
  std::string text;
};

namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  return out;
}

// `in_fd` >= 0: the child's standard input (else the test's own).
pid_t Spawn(const std::vector<std::string>& args, int* out_fd, int* err_fd, std::shared_ptr<ServerLog> sink = nullptr,
            int in_fd = -1) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test leaves no server behind
    if (in_fd >= 0) dup2(in_fd, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(err[0]);
    std::vector<char*> argv;
    std::string bin = SLUICE_BINARY;
    argv.push_back(bin.data());
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  *out_fd = out[0];
  if (err_fd) *err_fd = err[0];
  else {
    // Drain stderr (access log) in the background so the server never blocks on it.
    int fd = err[0];
    std::thread([fd, sink] {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (!sink) continue;
        std::lock_guard lock(sink->mu);
        if (sink->text.size() < ServerLog::kMax) sink->text.append(buf, size_t(n));
      }
      close(fd);
    }).detach();
  }
  return pid;
}

}  // namespace

boost::json::value HttpResponse::Json() const { return boost::json::parse(body); }

CommandResult RunSluice(const std::vector<std::string>& args) { return RunSluice(args, std::nullopt); }

std::string Psql(const std::string& url, const std::string& sql) {
  std::string out;
  FILE* p = popen(("psql -qtAX '" + url + "' -c \"" + sql + "\" 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[256];
  while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (pclose(p) != 0) return "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

CommandResult RunSluice(const std::vector<std::string>& args, const std::optional<std::string>& input) {
  // The input from a file rather than a pipe: no writer to keep alive, and EOF at its end.
  std::unique_ptr<FILE, int (*)(FILE*)> in(input ? std::tmpfile() : nullptr, &std::fclose);
  if (input) {
    if (!in || std::fwrite(input->data(), 1, input->size(), in.get()) != input->size() || std::fflush(in.get()) != 0)
      throw std::runtime_error("tmpfile");
    std::rewind(in.get());
  }
  int out_fd, err_fd;
  pid_t pid = Spawn(args, &out_fd, &err_fd, nullptr, in ? fileno(in.get()) : -1);
  CommandResult r;
  std::thread err_reader([&] { r.err = ReadAll(err_fd); });
  r.out = ReadAll(out_fd);
  err_reader.join();
  close(out_fd);
  close(err_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

SluiceServer::SluiceServer(int seed_users, int seed_posts) : SluiceServer("", seed_users, seed_posts) {}

SluiceServer::SluiceServer(const std::string& store_url, int seed_users, int seed_posts) : store_url_(store_url) {
  char tmpl[] = "/tmp/sluice-test-XXXXXX";
  data_dir_ = mkdtemp(tmpl);
  if (seed_users > 0) {
    auto r = RunSluice(WithStore({"seed", "--data", data_dir_, "--users", std::to_string(seed_users), "--posts",
                                  std::to_string(seed_posts), "--seed", "7"}));
    if (r.exit_code != 0) throw std::runtime_error("seed failed: " + r.err);
  }
}

std::vector<std::string> SluiceServer::WithStore(std::vector<std::string> args) const {
  if (!store_url_.empty()) {
    args.push_back("--store");
    args.push_back(store_url_);
  }
  return args;
}

SluiceServer::~SluiceServer() {
  if (pid_ > 0) Stop();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

::testing::AssertionResult SluiceServer::Import(const std::string& jsonl) {
  std::string file = data_dir_ + "/import.jsonl";
  std::ofstream(file) << jsonl;
  auto r = RunSluice(WithStore({"import", "--data", data_dir_, file}));
  if (r.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "sluice import: " << r.err;
}

std::string SluiceServer::CreateApp(const std::string& name, const std::string& plan) {
  auto r = RunSluice(WithStore({"apps", "create", "--data", data_dir_, "--name", name, "--plan", plan}));
  if (r.exit_code != 0) throw std::runtime_error("apps create failed: " + r.err);
  return std::string(boost::json::parse(r.out).at("bearer_token").as_string());
}

std::string SluiceServer::ReadLine(std::chrono::steady_clock::time_point deadline) {
  std::string line;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char c;
    if (read(stdout_fd_, &c, 1) != 1) break;
    if (c == '\n') return line;
    line.push_back(c);
  }
  throw std::runtime_error("no line from sluice before the deadline (got '" + line + "')");
}

void SluiceServer::Launch(const std::vector<std::string>& args) {
  log_ = std::make_shared<ServerLog>();
  pid_ = Spawn(args, &stdout_fd_, nullptr, log_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    std::string line = ReadLine(deadline);
    size_t colon = line.rfind(':');
    if (line.rfind("sluice admin API and portal listening on ", 0) == 0 && colon != std::string::npos)
      admin_port_ = std::atoi(line.c_str() + colon + 1);
    if (line.rfind("sluice listening on ", 0) == 0 && colon != std::string::npos) {
      port_ = std::atoi(line.c_str() + colon + 1);
      return;
    }
  }
}

void SluiceServer::Start(const std::vector<std::string>& extra) {
  std::vector<std::string> args = WithStore({"serve", "--data", data_dir_, "--listen", "127.0.0.1:0"});
  if (app_tokens_write) args.push_back("--app-tokens-write");
  args.insert(args.end(), extra.begin(), extra.end());
  Launch(args);
}

std::vector<std::string> SluiceServer::StartDemo() {
  Launch({"demo", "--data", data_dir_, "--listen", "127.0.0.1:0"});
  std::vector<std::string> lines;
  // Generous: under ASan on a loaded 2-core machine the demo took more than 10 s to print.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lines.empty() || lines.back().find("Ctrl-C") == std::string::npos) lines.push_back(ReadLine(deadline));
  return lines;
}

void SluiceServer::Terminate() { kill(pid_, SIGTERM); }

int SluiceServer::StopRepeatedly(int every_us) {
  if (pid_ <= 0) return -1;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    kill(pid_, SIGTERM);
    std::this_thread::sleep_for(std::chrono::microseconds(every_us));
  }
  pid_ = -1;
  close(stdout_fd_);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void SluiceServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  close(stdout_fd_);
}

int SluiceServer::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  close(stdout_fd_);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

HttpResponse SluiceServer::Get(const std::string& target, const std::string& token) const {
  return Request("GET", target, token, "", "");
}

namespace {

// When SLUICE_RESPONSE_LOG names a directory, every response is appended as one JSON line
// (method, target, status, content type, body) to responses-<pid>.jsonl in it: one file per
// test process, since ctest runs them in parallel. tests/integration/node/openapi.test.mjs
// validates those from X's endpoints against X's OpenAPI document.
void RecordResponse(const std::string& method, const std::string& target, const HttpResponse& res) {
  static const char* dir = std::getenv("SLUICE_RESPONSE_LOG");
  if (dir == nullptr || *dir == '\0') return;
  static std::mutex mu;
  static std::ofstream out;
  std::lock_guard lock(mu);
  if (!out.is_open()) {
    std::filesystem::create_directories(dir);
    out.open(std::filesystem::path(dir) / ("responses-" + std::to_string(getpid()) + ".jsonl"), std::ios::app);
  }
  auto type = res.headers.find("content-type");
  boost::json::object line{{"method", method},
                           {"target", target},
                           {"status", res.status},
                           {"content_type", type == res.headers.end() ? "" : type->second},
                           {"body", res.body}};
  out << boost::json::serialize(line) << '\n' << std::flush;
}

// Writes one request on `stream` and reads its response.
HttpResponse Exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, const std::string& method,
                      const std::string& target, const std::string& token, const std::string& body,
                      const std::string& content_type, const std::map<std::string, std::string>& extra_headers) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
  }
  for (const auto& [k, v] : extra_headers) req.set(k, v);
  http::write(stream, req);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  auto& res = parser.get();
  HttpResponse out;
  out.status = int(res.result_int());
  for (const auto& h : res) {
    std::string name(h.name_string());
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    // A header sent twice (Set-Cookie) keeps both values, one per line.
    auto [it, fresh] = out.headers.emplace(name, std::string(h.value()));
    if (!fresh) it->second += "\n" + std::string(h.value());
  }
  out.body = res.body();
  RecordResponse(method, target, out);
  return out;
}

}  // namespace

HttpResponse SluiceServer::Request(const std::string& method, const std::string& target, const std::string& token,
                                   const std::string& body, const std::string& content_type,
                                   const std::map<std::string, std::string>& extra_headers) const {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  try {
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), uint16_t(port_)));
    beast::flat_buffer buffer;
    HttpResponse out = Exchange(stream, buffer, method, target, token, body, content_type, extra_headers);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    return out;
  } catch (const boost::system::system_error& e) {
    // A connection the server dropped is most often a server that died (a sanitizer report,
    // an abort): its log's end says why, and the exception carries it into the test output.
    std::string log;
    if (log_) {
      constexpr size_t kTail = 8192;
      std::lock_guard lock(log_->mu);
      log = log_->text.size() > kTail ? "..." + log_->text.substr(log_->text.size() - kTail) : log_->text;
    }
    throw std::runtime_error(method + " " + target + ": " + e.what() + "\nthe server's log ends:\n" + log);
  }
}

struct KeepAliveClient::Impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
};

KeepAliveClient::KeepAliveClient(int port) : impl_(std::make_unique<Impl>()) {
  impl_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), uint16_t(port)));
}

KeepAliveClient::~KeepAliveClient() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

HttpResponse KeepAliveClient::Request(const std::string& method, const std::string& target, const std::string& token,
                                      const std::string& body) {
  return Exchange(impl_->stream, impl_->buffer, method, target, token, body, "application/json", {});
}

HttpResponse KeepAliveClient::Request(const std::string& method, const std::string& target, const std::string& token,
                                      const std::string& body, const std::string& content_type,
                                      const std::map<std::string, std::string>& extra_headers) {
  return Exchange(impl_->stream, impl_->buffer, method, target, token, body, content_type, extra_headers);
}

RawConnection::RawConnection(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect failed");
}

RawConnection::~RawConnection() { close(fd_); }

void RawConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += size_t(n);
  }
}

std::string RawConnection::ReadAll(int timeout_ms) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

std::string SluiceServer::Log() const {
  if (!log_) return "";
  std::lock_guard lock(log_->mu);
  return log_->text;
}

std::string SluiceServer::Raw(const std::string& bytes, int timeout_ms) const {
  RawConnection c(port_);
  c.Send(bytes);
  return c.ReadAll(timeout_ms);
}

}  // namespace sluice::testing
