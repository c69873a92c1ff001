#include "poller.hpp"

#include <string>

namespace hr::mimecast {

std::shared_ptr<Poller> Poller::create(Module &mod, Config cfg, hr_host_instance *h) {
    return std::shared_ptr<Poller>(new Poller(mod, std::move(cfg), h));
}

void Poller::start() {
    std::string msg = "configured for " + std::to_string(cfg_.apis.size()) + " API(s); collection is not built yet";
    mod_.host()->log(h_, HR_LOG_WARN, hr_str{msg.data(), msg.size()});
}

void Poller::stop() {}
void Poller::wait_stopped() {}

} // namespace hr::mimecast
