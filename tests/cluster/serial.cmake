# Serial heartbeat links (socat pty pairs, label "cluster"; need root + ip netns + socat).
# Included from tests/cluster/CMakeLists.txt.
#   serial_only       serial link alone: active, cable cut -> dead after deadtime, replug -> active
#   serial_redundant  ucast + serial: either medium cut leaves both nodes active
#   serial_noise      serial_relay.py damages frames: no false death, bad frames counted exactly
foreach(t serial_only serial_redundant serial_noise)
  hb_add_script_test(NAME cluster_${t} SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/${t}_test.sh LABEL cluster TIMEOUT 300)
  if(TEST cluster_${t})
    set_tests_properties(cluster_${t} PROPERTIES RESOURCE_LOCK netns)
  endif()
endforeach()
