# CPACK_PRE_BUILD_SCRIPTS (see packaging/CMakeLists.txt): runs once per generator, after CPack
# has installed into its staging directory (CPACK_TEMPORARY_DIRECTORY) and before the package
# is made. The install rules follow Debian; the differences for the RPM are made here.
set(_root "${CPACK_TEMPORARY_DIRECTORY}")
if(NOT IS_DIRECTORY "${_root}")
  message(FATAL_ERROR "cpack_prebuild: staging directory ${_root} not found")
endif()

if(CPACK_GENERATOR STREQUAL "DEB")
  # postinst creates /var/{lib,log,cache}/hosted-runner owned by the service user; shipping
  # them would make dpkg warn "directory not empty so not removed" on every remove.
  file(REMOVE_RECURSE "${_root}/var")
elseif(CPACK_GENERATOR STREQUAL "RPM")
  # Fedora/RHEL units live in /usr/lib/systemd/system (/lib is not a place for packages there).
  file(MAKE_DIRECTORY "${_root}/usr/lib/systemd")
  file(RENAME "${_root}/lib/systemd/system" "${_root}/usr/lib/systemd/system")
  file(REMOVE_RECURSE "${_root}/lib")
  # CPackRPM marks every file installed to an absolute DESTINATION as %config. Only the
  # config file is one, and CPACK_RPM_USER_FILELIST says so; the rest are ordinary files.
  # (This script runs in the scope that CPackRPM.cmake later reads.)
  set(CPACK_ABSOLUTE_DESTINATION_FILES "")
endif()

# What dh_strip does beyond "strip": drop the .comment and .note sections (lintian
# binary-has-unneeded-section). CPACK_STRIP_FILES has already stripped the symbols.
if(CPACK_HR_STRIP)
  file(GLOB_RECURSE _elves LIST_DIRECTORIES false "${_root}/usr/bin/*" "${_root}/usr/lib*/*.so")
  foreach(_f IN LISTS _elves)
    execute_process(COMMAND "${CPACK_HR_STRIP}" --remove-section=.comment --remove-section=.note "${_f}"
                    RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
      message(FATAL_ERROR "cpack_prebuild: ${CPACK_HR_STRIP} failed on ${_f}")
    endif()
  endforeach()
endif()
