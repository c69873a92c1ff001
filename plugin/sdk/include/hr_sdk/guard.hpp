// Exception firewall for functions exported through the C ABI.
//
// Every hook body runs inside one of these so that no C++ exception ever
// unwinds into the host (a dlopen()ed boundary with no exception contract).
#pragma once

#include <hosted_runner/plugin_abi.h>

#include <exception>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hr::sdk {

namespace detail {

// Text of the exception being handled. Valid while the caller's catch block
// is active (what() belongs to the exception object). Never allocates.
inline std::string_view current_exception_text() noexcept {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return "out of memory";
    } catch (const std::exception& e) {
        const char* what = e.what();
        return what ? std::string_view(what) : std::string_view("exception without message");
    } catch (...) {
        return "unknown exception";
    }
}

template <class F>
hr_status invoke_as_status(F& f) {
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        f();
        return HR_OK;
    } else {
        return static_cast<hr_status>(f());
    }
}

}  // namespace detail

// Runs f (returning hr_status, something convertible to it, or void = HR_OK).
// Any exception becomes HR_FAILED and its message goes to on_error(string_view).
// on_error itself may throw; that is swallowed too.
template <class F, class OnError>
hr_status guarded_log(F&& f, OnError&& on_error) noexcept {
    try {
        return detail::invoke_as_status(f);
    } catch (...) {
        std::string_view msg = detail::current_exception_text();
        try {
            on_error(msg);
        } catch (...) {
        }
        return HR_FAILED;
    }
}

// Same, reporting through the ABI's diagnostic sink (may be null).
template <class F>
hr_status guarded(F&& f, hr_diag_fn diag, void* diag_ctx) noexcept {
    return guarded_log(std::forward<F>(f), [&](std::string_view msg) {
        if (diag != nullptr) {
            diag(diag_ctx, HR_LOG_ERROR, hr_str{"", 0}, 0, hr_str{msg.data(), msg.size()});
        }
    });
}

// For hooks that return something other than a status (the entry symbol,
// void hooks): returns f()'s value, or `fallback` after an exception.
template <class T, class F, class OnError>
T guarded_value(T fallback, F&& f, OnError&& on_error) noexcept {
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
            f();
            return fallback;
        } else {
            return f();
        }
    } catch (...) {
        std::string_view msg = detail::current_exception_text();
        try {
            on_error(msg);
        } catch (...) {
        }
        return fallback;
    }
}

}  // namespace hr::sdk
