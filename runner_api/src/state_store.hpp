#pragma once
// Durable key/value state, one namespace per plugin instance.
//
// On disk: an append-only log of CRC-checked records behind a magic header.
// A kill -9 can only leave a torn last record, which load() detects by its
// length or CRC and drops, so the last completed write is always readable.
// The log is compacted into a fresh file written aside and renamed over.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hr {

class StateStore {
public:
    StateStore() = default;
    ~StateStore();
    StateStore(const StateStore &) = delete;
    StateStore &operator=(const StateStore &) = delete;

    // Opens (creating, mode 0600) and locks the store. sync: fsync after each
    // write batch. False with a message naming the path on any failure.
    bool open(const std::string &path, bool sync, std::string &err);
    void close();

    // Checks, without locking or changing anything, that open() could work:
    // for -validate while the service holds the lock.
    static bool check_path(const std::string &path, std::string &err);

    std::optional<std::string> get(const std::string &ns, const std::string &key) const;
    // Applies all writes as one batch: appended, then fsynced when sync is on.
    struct Write {
        std::string ns, key, value;
    };
    bool put(const std::vector<Write> &writes, std::string &err);
    // Everything in a namespace (for tools and tests).
    std::map<std::string, std::string> namespace_items(const std::string &ns) const;

    const std::string &path() const { return path_; }

private:
    bool load(std::string &err);
    bool compact(std::string &err);
    bool append(const std::string &bytes, std::string &err);

    mutable std::mutex mu_;
    std::string path_;
    bool sync_ = false;
    int fd_ = -1;
    int lock_fd_ = -1;
    uint64_t file_size_ = 0;
    uint64_t live_size_ = 0;
    std::map<std::pair<std::string, std::string>, std::string> data_;
};

} // namespace hr
