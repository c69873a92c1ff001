// Incremental gzip compressor: batch files are compressed as their lines are generated.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace mcsim {

class GzipWriter {
 public:
  GzipWriter();
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void write(std::string_view in, std::string& out);  // appends compressed bytes to out
  void finish(std::string& out);                      // flushes and appends the gzip trailer

 private:
  void pump(int flush, std::string& out);
  z_stream zs_{};
};

}  // namespace mcsim
