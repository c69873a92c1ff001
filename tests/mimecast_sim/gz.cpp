#include "gz.hpp"

#include <stdexcept>

namespace mcsim {

GzipWriter::GzipWriter() {
  // windowBits 15+16 selects the gzip wrapper; zlib writes mtime 0, so output is byte-stable.
  // Level 1: deflate dominates generation cost, and the ratio hardly matters on loopback.
  if (deflateInit2(&zs_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
}

GzipWriter::~GzipWriter() { deflateEnd(&zs_); }

void GzipWriter::write(std::string_view in, std::string& out) {
  zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs_.avail_in = static_cast<uInt>(in.size());
  pump(Z_NO_FLUSH, out);
}

void GzipWriter::finish(std::string& out) {
  zs_.next_in = nullptr;
  zs_.avail_in = 0;
  pump(Z_FINISH, out);
}

void GzipWriter::pump(int flush, std::string& out) {
  char buf[16384];
  for (;;) {
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = sizeof buf;
    int rc = deflate(&zs_, flush);
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
    out.append(buf, sizeof buf - zs_.avail_out);
    if (flush == Z_FINISH ? rc == Z_STREAM_END : (zs_.avail_in == 0 && zs_.avail_out != 0)) break;
  }
}

}  // namespace mcsim
