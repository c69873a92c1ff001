#include "module.hpp"

namespace hr::mimecast {

std::unique_ptr<Module> Module::create(const hr_host_api *host, std::string &) {
    return std::unique_ptr<Module>(new Module(host));
}

Module::~Module() = default;

bool Module::check_credentials(const Config &, hr_diag_fn diag, void *ctx) {
    std::string msg = "credential check is not built yet";
    if (diag) diag(ctx, HR_LOG_ERROR, hr_str{"", 0}, 0, hr_str{msg.data(), msg.size()});
    return false;
}

} // namespace hr::mimecast
