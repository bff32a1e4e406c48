#include "stream_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace sluice::testing {

StreamClient::StreamClient(int port, const std::string& target, const std::string& token, int receive_buffer) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect failed");
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += size_t(n);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  size_t end;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos)
    if (!Fill(deadline)) throw std::runtime_error("no response head: " + raw_);
  std::string head = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  status_ = std::stoi(head.substr(9, 3));
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
      headers_[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    pos = next;
  }
  if (headers_.count("transfer-encoding") == 0) {
    // Not a stream: the body is Content-Length bytes.
    size_t length = headers_.count("content-length") ? std::stoul(headers_["content-length"]) : 0;
    while (raw_.size() < length && Fill(deadline)) {
    }
    body_ = raw_.substr(0, length);
    ended_ = true;
  }
}

StreamClient::~StreamClient() { Close(); }

void StreamClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool StreamClient::Fill(std::chrono::steady_clock::time_point deadline) {
  while (fd_ >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out_ = true;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, int(std::min<int64_t>(left.count(), 100))) <= 0) continue;
    char buf[16384];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    raw_.append(buf, size_t(n));
    return true;
  }
  return false;
}

bool StreamClient::NextChunk(std::chrono::steady_clock::time_point deadline) {
  size_t eol;
  while ((eol = raw_.find("\r\n")) == std::string::npos)
    if (!Fill(deadline)) return false;
  const size_t size = std::stoul(raw_.substr(0, eol), nullptr, 16);
  while (raw_.size() < eol + 2 + size + 2)
    if (!Fill(deadline)) return false;
  if (size == 0) {
    ended_ = true;
    return false;
  }
  lines_.append(raw_, eol + 2, size);
  raw_.erase(0, eol + 2 + size + 2);
  return true;
}

std::optional<std::string> StreamClient::NextLine(std::chrono::milliseconds timeout) {
  timed_out_ = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t eol;
  while ((eol = lines_.find("\r\n")) == std::string::npos) {
    if (ended_) return std::nullopt;
    if (!NextChunk(deadline)) {
      if (!timed_out_) ended_ = true;
      return std::nullopt;
    }
  }
  std::string line = lines_.substr(0, eol);
  lines_.erase(0, eol + 2);
  return line;
}

}  // namespace sluice::testing
