#pragma once
// Crash-safe on-disk cache of entries for the Gravwell sink while its
// indexers are down.
//
// The directory holds .lock (flocked while open) and append-only segments
// seg-<16 hex digits>.hrc, numbered in append order; other files are left
// alone. A record, little-endian:
//   u32 payload length, u32 crc32(payload), payload =
//   i64 ts_sec, u32 ts_nsec, u16 tag length, tag, u16 src length, src,
//   u32 data length, data.
// A crash can only tear the end of the newest segment: open() cuts it off.
// A record failing its CRC ends its segment.
//
// Delivery is at-least-once. A segment file is deleted once every record in
// it is acked (the active one too; the next append then starts a new one).
// After a restart every record of every remaining segment is handed out
// again, including ones acked before the restart.
//
// Not thread-safe: the sink calls it from one thread. No exceptions escape.
#include "sink.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace hr::gw {

class DiskCache {
public:
    enum class PutResult { ok, full, error };
    struct Cached {
        uint64_t handle;
        EntryPtr entry; // seq is 0
    };

    explicit DiskCache(uint64_t seg_bytes = 4u << 20) : segment_bytes(seg_bytes) {}
    ~DiskCache() { close(); }
    DiskCache(const DiskCache &) = delete;
    DiskCache &operator=(const DiskCache &) = delete;

    // A batch starts a new segment when it would take the active one past
    // this size; a batch never spans segments. Set before open().
    uint64_t segment_bytes;

    // Creates dir (0700, not its parents), locks it and scans its segments:
    // every record found is stored and unread. False with a message on failure.
    bool open(const std::string &dir, uint64_t max_bytes, std::string &err);
    // Closes files and releases the lock; keeps the segments. Idempotent.
    void close();

    // Writes the whole batch, then fdatasyncs once: after ok it survives
    // kill -9 and power loss. full: bytes() plus the batch would pass
    // max_bytes. full and error (I/O, a tag or src over 65535 bytes) keep
    // nothing of the batch.
    PutResult append(const std::vector<EntryPtr> &batch, std::string &err);

    // Requeued records first, then the oldest record not handed out yet.
    // nullopt when there is none, or on a read error: read_error() says
    // which and a later call retries.
    std::optional<Cached> next();
    // The indexer has it. Unknown and stale handles are ignored.
    void ack(uint64_t handle);
    // Not delivered: a later next() hands it out again, under a new handle.
    void requeue(uint64_t handle);

    uint64_t bytes() const { return bytes_; }           // segment files on disk
    uint64_t stored_entries() const { return stored_; } // not acked
    uint64_t unread_entries() const { return unread_ + requeued_.size(); }
    bool empty() const { return stored_ == 0; }
    // Corrupt spots skipped since open(): a bad tail of an older segment, or a
    // record failing its CRC when read (the rest of that segment is dropped).
    uint64_t corruptions() const { return corruptions_; }
    const std::string &read_error() const { return read_error_; }

    static uint64_t record_bytes(const Entry &e) { return 28 + e.tag.size() + e.src.size() + e.data.size(); }

private:
    struct Segment {
        uint64_t file_bytes = 0; // counted in bytes_
        uint64_t end = 0;        // just past its last good record
        uint64_t read_off = 0;   // next record to hand out
        uint64_t unread = 0;     // records in [read_off, end)
        uint64_t live = 0;       // records not acked
    };
    struct Out {
        uint64_t seg;
        EntryPtr entry;
    };
    enum class Read { ok, corrupt, io };

    bool lock_dir(const std::string &dir, std::string &err);
    bool scan(std::string &err);
    bool start_segment(std::string &err);
    void undo_write(Segment &s);
    void seal();
    void maybe_delete(uint64_t id);
    std::string seg_path(uint64_t id) const;
    bool select(uint64_t id);
    void drop_reader();
    const char *view(uint64_t off, size_t n, uint64_t limit);
    Read read_record(uint64_t id, Segment &s, Entry &e, uint64_t &size);

    std::string dir_;
    uint64_t max_bytes_ = 0;
    int lock_fd_ = -1;
    int wfd_ = -1; // active segment, when there is one
    uint64_t active_ = 0;
    uint64_t next_id_ = 1;
    std::map<uint64_t, Segment> segs_;
    uint64_t read_seg_ = 0; // segments before it have nothing unread
    int rfd_ = -1;          // segment being read, through rbuf_
    uint64_t rfd_id_ = 0;
    std::string rbuf_;
    uint64_t rbuf_off_ = 0;
    uint64_t next_handle_ = 1;
    std::unordered_map<uint64_t, Out> out_;
    std::deque<Out> requeued_;
    uint64_t bytes_ = 0, stored_ = 0, unread_ = 0, corruptions_ = 0;
    std::string read_error_;
};

} // namespace hr::gw
