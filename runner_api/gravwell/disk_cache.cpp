#include "disk_cache.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace hr::gw {
namespace {

constexpr uint64_t kHeader = 8;     // length, crc
constexpr uint64_t kFixed = 20;     // payload bytes besides tag, src and data
constexpr size_t kChunk = 64 << 10; // read buffer; bigger records are read directly

void put_le(std::string &out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const char *p, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
    return v;
}
uint32_t crc(const char *p, size_t n, uint32_t c = 0) {
    return static_cast<uint32_t>(crc32(c, reinterpret_cast<const Bytef *>(p), static_cast<uInt>(n)));
}

std::string errno_text(const std::string &what, const std::string &path, int e = errno) {
    return what + " " + path + ": " + (e ? std::strerror(e) : "file ends early");
}

bool pwrite_all(int fd, const char *p, size_t n, uint64_t off) {
    while (n > 0) {
        ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        off += static_cast<uint64_t>(w);
        n -= static_cast<size_t>(w);
    }
    return true;
}

// False with errno set; errno 0 when the file is shorter than expected.
bool pread_all(int fd, char *p, size_t n, uint64_t off) {
    while (n > 0) {
        ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            if (r == 0) errno = 0;
            return false;
        }
        p += r;
        off += static_cast<uint64_t>(r);
        n -= static_cast<size_t>(r);
    }
    return true;
}

bool fsync_dir(const std::string &dir) {
    int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return false;
    bool ok = ::fsync(d) == 0;
    ::close(d);
    return ok;
}

// "seg-" + 16 lowercase hex digits + ".hrc"
bool parse_name(const char *name, uint64_t &id) {
    if (std::strlen(name) != 24 || std::strncmp(name, "seg-", 4) != 0 || std::strcmp(name + 20, ".hrc") != 0)
        return false;
    id = 0;
    for (int i = 4; i < 20; ++i) {
        char c = name[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return false;
        id = id << 4 | static_cast<uint64_t>(d);
    }
    return true;
}

bool check(const EntryPtr &e, std::string &err) {
    if (!e) err = "null entry";
    else if (e->tag.size() > 0xffff) err = "entry tag is " + std::to_string(e->tag.size()) + " bytes, at most 65535 fit";
    else if (e->src.size() > 0xffff) err = "entry src is " + std::to_string(e->src.size()) + " bytes, at most 65535 fit";
    else if (DiskCache::record_bytes(*e) - kHeader > 0xffffffffu) err = "entry is too large for the cache";
    else return true;
    return false;
}

void encode(std::string &out, const Entry &e) {
    size_t start = out.size();
    put_le(out, 0, 8); // length and crc, filled in below
    put_le(out, static_cast<uint64_t>(e.ts_sec), 8);
    put_le(out, e.ts_nsec, 4);
    put_le(out, e.tag.size(), 2);
    out += e.tag;
    put_le(out, e.src.size(), 2);
    out += e.src;
    put_le(out, e.data.size(), 4);
    out += e.data;
    const char *payload = out.data() + start + kHeader;
    size_t len = out.size() - start - kHeader;
    std::string head;
    put_le(head, len, 4);
    put_le(head, crc(payload, len), 4);
    out.replace(start, kHeader, head);
}

// Moves the payload's data into e.data: no second copy of a big record.
bool decode(std::string &p, Entry &e) {
    const char *b = p.data();
    size_t n = p.size(), q = 14;
    e.ts_sec = static_cast<int64_t>(get_le(b, 8));
    e.ts_nsec = static_cast<uint32_t>(get_le(b + 8, 4));
    size_t tl = get_le(b + 12, 2);
    if (q + tl + 2 > n) return false;
    e.tag.assign(b + q, tl);
    q += tl;
    size_t sl = get_le(b + q, 2);
    q += 2;
    if (q + sl + 4 > n) return false;
    e.src.assign(b + q, sl);
    q += sl;
    uint64_t dl = get_le(b + q, 4);
    q += 4;
    if (q + dl != n) return false;
    p.erase(0, q);
    e.data = std::move(p);
    return true;
}

} // namespace

bool DiskCache::open(const std::string &dir, uint64_t max_bytes, std::string &err) {
    if (lock_fd_ >= 0) {
        err = "cache " + dir_ + " is already open";
        return false;
    }
    try {
        if (lock_dir(dir, err) && scan(err)) {
            max_bytes_ = max_bytes;
            return true;
        }
    } catch (const std::exception &e) {
        err = "cannot open cache " + dir + ": " + e.what();
    }
    close();
    return false;
}

bool DiskCache::lock_dir(const std::string &dir, std::string &err) {
    dir_ = dir;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        err = errno_text("cannot create cache directory", dir);
        return false;
    }
    std::string lock = dir + "/.lock";
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) {
        err = errno_text("cannot open cache lock", lock);
        return false;
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        err = errno == EWOULDBLOCK ? "cache directory " + dir + " is in use by another process (lock " + lock + " held)"
                                   : errno_text("cannot lock", lock);
        return false;
    }
    return true;
}

bool DiskCache::scan(std::string &err) {
    std::unique_ptr<DIR, int (*)(DIR *)> d(::opendir(dir_.c_str()), ::closedir);
    if (!d) {
        err = errno_text("cannot list cache directory", dir_);
        return false;
    }
    std::vector<uint64_t> ids;
    uint64_t id = 0;
    while (dirent *de = ::readdir(d.get()))
        if (parse_name(de->d_name, id)) ids.push_back(id);
    d.reset();
    std::sort(ids.begin(), ids.end());
    for (uint64_t seg : ids) {
        std::string path = seg_path(seg);
        struct stat st{};
        if (!select(seg) || ::fstat(rfd_, &st) != 0) {
            err = errno_text("cannot open cache segment", path);
            return false;
        }
        Segment s;
        uint64_t size = static_cast<uint64_t>(st.st_size);
        for (uint64_t off = 0; off + kHeader <= size;) {
            const char *h = view(off, kHeader, size);
            if (!h) {
                err = errno_text("cannot read cache segment", path);
                return false;
            }
            uint64_t len = get_le(h, 4), want = get_le(h + 4, 4);
            if (len < kFixed || len > size - off - kHeader) break;
            uint32_t c = 0;
            for (uint64_t q = 0; q < len;) {
                size_t k = static_cast<size_t>(std::min<uint64_t>(kChunk, len - q));
                const char *p = view(off + kHeader + q, k, size);
                if (!p) {
                    err = errno_text("cannot read cache segment", path);
                    return false;
                }
                c = crc(p, k, c);
                q += k;
            }
            if (c != want) break;
            off += kHeader + len;
            s.end = off;
            ++s.unread;
        }
        if (s.end < size && seg == ids.back()) {
            // Torn by a crash mid-append: later appends must follow a good record.
            int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
            bool ok = fd >= 0 && ::ftruncate(fd, static_cast<off_t>(s.end)) == 0 && ::fsync(fd) == 0;
            if (!ok) err = errno_text("cannot truncate the torn tail of cache segment", path);
            if (fd >= 0) ::close(fd);
            if (!ok) return false;
            size = s.end;
        } else if (s.end < size) {
            ++corruptions_;
        }
        s.file_bytes = size;
        s.live = s.unread;
        segs_.emplace(seg, s);
        bytes_ += size;
        stored_ += s.live;
        unread_ += s.unread;
        next_id_ = seg + 1;
        maybe_delete(seg); // nothing good in it
    }
    drop_reader();
    return true;
}

void DiskCache::close() {
    drop_reader();
    if (wfd_ >= 0) ::close(wfd_);
    if (lock_fd_ >= 0) ::close(lock_fd_); // releases the flock
    wfd_ = lock_fd_ = -1;
    segs_.clear();
    out_.clear();
    requeued_.clear();
    bytes_ = stored_ = unread_ = corruptions_ = read_seg_ = 0;
    next_id_ = 1;
    read_error_.clear();
}

std::string DiskCache::seg_path(uint64_t id) const {
    char name[32];
    std::snprintf(name, sizeof name, "seg-%016llx.hrc", static_cast<unsigned long long>(id));
    return dir_ + "/" + name;
}

DiskCache::PutResult DiskCache::append(const std::vector<EntryPtr> &batch, std::string &err) {
    if (lock_fd_ < 0) {
        err = "cache is not open";
        return PutResult::error;
    }
    try {
        uint64_t n = 0;
        for (const auto &e : batch) {
            if (!check(e, err)) return PutResult::error;
            n += record_bytes(*e);
        }
        if (batch.empty()) return PutResult::ok;
        if (bytes_ + n > max_bytes_) return PutResult::full;
        std::string buf;
        buf.reserve(n);
        for (const auto &e : batch) encode(buf, *e);
        if (wfd_ >= 0 && segs_[active_].end > 0 && segs_[active_].end + n > segment_bytes) seal();
        if (wfd_ < 0 && !start_segment(err)) return PutResult::error;
        Segment &s = segs_[active_];
        if (!pwrite_all(wfd_, buf.data(), buf.size(), s.end) || ::fdatasync(wfd_) != 0) {
            int e = errno;
            err = errno_text("cannot write cache segment", seg_path(active_), e);
            undo_write(s);
            return PutResult::error;
        }
        s.end += n;
        s.file_bytes += n;
        s.unread += batch.size();
        s.live += batch.size();
        bytes_ += n;
        stored_ += batch.size();
        unread_ += batch.size();
        return PutResult::ok;
    } catch (const std::exception &e) {
        err = std::string("cannot append to the cache: ") + e.what();
        return PutResult::error;
    }
}

bool DiskCache::start_segment(std::string &err) {
    uint64_t id = next_id_++;
    std::string path = seg_path(id);
    segs_.emplace(id, Segment{});
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    // The new name must survive power loss along with the records in it.
    if (fd < 0 || !fsync_dir(dir_)) {
        err = errno_text("cannot create cache segment", path);
        if (fd >= 0) {
            ::close(fd);
            ::unlink(path.c_str());
        }
        segs_.erase(id);
        return false;
    }
    active_ = id;
    wfd_ = fd;
    return true;
}

// Cuts a failed write off and stops appending to the segment: after a failed
// fdatasync what is in its pages is not known.
void DiskCache::undo_write(Segment &s) {
    if (::ftruncate(wfd_, static_cast<off_t>(s.end)) == 0) ::fdatasync(wfd_);
    struct stat st{};
    if (::fstat(wfd_, &st) == 0) {
        bytes_ = bytes_ - s.file_bytes + static_cast<uint64_t>(st.st_size);
        s.file_bytes = static_cast<uint64_t>(st.st_size);
    }
    seal();
}

void DiskCache::seal() {
    if (wfd_ < 0) return;
    ::close(wfd_);
    wfd_ = -1;
    maybe_delete(active_);
}

void DiskCache::maybe_delete(uint64_t id) {
    auto it = segs_.find(id);
    if (it == segs_.end() || it->second.live > 0) return;
    std::string path = seg_path(id);
    if (id == active_ && wfd_ >= 0) {
        ::close(wfd_);
        wfd_ = -1;
    }
    if (rfd_ >= 0 && rfd_id_ == id) drop_reader();
    ::unlink(path.c_str()); // if that fails, a restart replays the records
    bytes_ -= it->second.file_bytes;
    segs_.erase(it);
}

bool DiskCache::select(uint64_t id) {
    if (rfd_ >= 0 && rfd_id_ == id) return true;
    drop_reader();
    rfd_ = ::open(seg_path(id).c_str(), O_RDONLY | O_CLOEXEC);
    rfd_id_ = id;
    return rfd_ >= 0;
}

void DiskCache::drop_reader() {
    if (rfd_ >= 0) ::close(rfd_);
    rfd_ = -1;
    rbuf_.clear();
}

// Bytes [off, off + n) of the segment being read, n <= kChunk and
// off + n <= limit. The buffer never holds bytes past limit (uncommitted).
const char *DiskCache::view(uint64_t off, size_t n, uint64_t limit) {
    if (off >= rbuf_off_ && off + n <= rbuf_off_ + rbuf_.size()) return rbuf_.data() + (off - rbuf_off_);
    rbuf_.resize(static_cast<size_t>(std::min<uint64_t>(kChunk, limit - off)));
    rbuf_off_ = off;
    if (pread_all(rfd_, rbuf_.data(), rbuf_.size(), off)) return rbuf_.data();
    rbuf_.clear();
    return nullptr;
}

DiskCache::Read DiskCache::read_record(uint64_t id, Segment &s, Entry &e, uint64_t &size) {
    const char *h = select(id) ? view(s.read_off, kHeader, s.end) : nullptr;
    if (!h) return Read::io;
    uint64_t len = get_le(h, 4), want = get_le(h + 4, 4);
    if (len < kFixed || len > s.end - s.read_off - kHeader) return Read::corrupt;
    std::string payload(len, '\0');
    uint64_t off = s.read_off + kHeader;
    if (len <= kChunk) {
        const char *p = view(off, len, s.end);
        if (!p) return Read::io;
        std::memcpy(payload.data(), p, len);
    } else if (!pread_all(rfd_, payload.data(), len, off)) {
        return Read::io;
    }
    if (crc(payload.data(), len) != want || !decode(payload, e)) return Read::corrupt;
    size = kHeader + len;
    return Read::ok;
}

std::optional<DiskCache::Cached> DiskCache::next() {
    try {
        read_error_.clear();
        if (!requeued_.empty()) {
            uint64_t h = next_handle_++;
            EntryPtr e = requeued_.front().entry;
            out_.emplace(h, requeued_.front());
            requeued_.pop_front();
            return Cached{h, std::move(e)};
        }
        for (auto it = segs_.lower_bound(read_seg_); it != segs_.end();) {
            Segment &s = it->second;
            if (s.unread == 0) {
                ++it;
                continue;
            }
            read_seg_ = it->first;
            auto e = std::make_shared<Entry>();
            uint64_t size = 0;
            Read r = read_record(it->first, s, *e, size);
            if (r == Read::io) {
                int en = errno;
                read_error_ = errno_text("cannot read cache segment", seg_path(it->first), en);
                return std::nullopt;
            }
            if (r == Read::corrupt) {
                // Damaged after it was written: what follows cannot be trusted.
                ++corruptions_;
                s.live -= s.unread;
                stored_ -= s.unread;
                unread_ -= s.unread;
                s.unread = 0;
                s.read_off = s.end;
                ++it;
                maybe_delete(read_seg_);
                continue;
            }
            uint64_t h = next_handle_;
            out_.emplace(h, Out{it->first, e});
            ++next_handle_;
            s.read_off += size;
            --s.unread;
            --unread_;
            return Cached{h, std::move(e)};
        }
    } catch (const std::exception &e) {
        read_error_ = std::string("cannot read the cache: ") + e.what();
    }
    return std::nullopt;
}

void DiskCache::ack(uint64_t handle) {
    auto it = out_.find(handle);
    if (it == out_.end()) return;
    auto seg = segs_.find(it->second.seg); // there while it has records not acked
    out_.erase(it);
    --seg->second.live;
    --stored_;
    try {
        maybe_delete(seg->first);
    } catch (...) {
        // Out of memory for the path: the file stays and a restart replays it.
    }
}

void DiskCache::requeue(uint64_t handle) {
    auto it = out_.find(handle);
    if (it == out_.end()) return;
    try {
        requeued_.push_back(it->second);
        out_.erase(it);
    } catch (...) {
        // Stays handed out; a restart replays it.
    }
}

} // namespace hr::gw
