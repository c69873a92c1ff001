#include "config/fileio.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hr::cfg::detail {

std::string describe_size(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

bool read_file_limited(const std::string& path, std::size_t limit, std::string& out, std::string& err) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    err = S_ISDIR(st.st_mode) ? "is a directory, not a file" : std::string("cannot stat: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  // Read up to limit+1 bytes rather than trusting st_size (pipes, /proc, growing files).
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = std::string("cannot read: ") + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > limit) {
      err = "is larger than " + describe_size(limit);
      ::close(fd);
      out.clear();
      return false;
    }
  }
  ::close(fd);
  return true;
}

} // namespace hr::cfg::detail
