#include "hr_sdk/executor.hpp"

#include <hr_sdk/guard.hpp>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <string>

namespace hr::sdk {

Executor::Executor(unsigned threads, ErrorFn on_handler_error)
    : ctx_(static_cast<int>(std::max(1u, threads))),
      work_(boost::asio::make_work_guard(ctx_)),
      on_error_(std::move(on_handler_error)) {
    const unsigned n = std::max(1u, threads);
    threads_.reserve(n);
    try {
        for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this, i] { thread_main(i); });
    } catch (...) {
        stop();
        join();
        throw;
    }
}

Executor::~Executor() {
    stop();
    join();
}

void Executor::drain() noexcept { work_.reset(); }

void Executor::stop() noexcept {
    work_.reset();
    ctx_.stop();
}

void Executor::join() noexcept {
    const auto self = std::this_thread::get_id();
    for (auto& t : threads_) {
        if (!t.joinable()) continue;
        if (t.get_id() == self) {
            t.detach();  // joining ourselves would throw; this thread ends after the handler returns
        } else {
            t.join();
        }
    }
}

bool Executor::running_in_pool() const noexcept {
    const auto self = std::this_thread::get_id();
    return std::any_of(threads_.begin(), threads_.end(),
                       [&](const std::thread& t) { return t.get_id() == self; });
}

void Executor::thread_main(unsigned index) {
    // Async signals belong to the host (its signal_set / sigwait); a plugin
    // thread must never be the one that receives SIGTERM. Faults stay unblocked.
    sigset_t set;
    sigfillset(&set);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    const std::string name = "hr-io-" + std::to_string(index);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());

    for (;;) {
        try {
            ctx_.run();
            return;
        } catch (...) {
            // A handler threw: report and keep serving the other stanzas.
            std::string_view what = detail::current_exception_text();
            if (on_error_) {
                try {
                    on_error_(what);
                } catch (...) {
                }
            }
        }
    }
}

}  // namespace hr::sdk
