#pragma once
// One [Mimecast "name"] stanza: token, budget, one collector per Api.
#include "config.hpp"
#include "module.hpp"

#include <memory>

namespace hr::mimecast {

class Poller : public std::enable_shared_from_this<Poller> {
public:
    static std::shared_ptr<Poller> create(Module &mod, Config cfg, hr_host_instance *h);
    void start();
    void stop();         // any thread, idempotent
    void wait_stopped(); // blocks until no work of this stanza is queued or running

private:
    Poller(Module &mod, Config cfg, hr_host_instance *h) : mod_(mod), cfg_(std::move(cfg)), h_(h) {}
    Module &mod_;
    Config cfg_;
    hr_host_instance *h_;
};

} // namespace hr::mimecast
