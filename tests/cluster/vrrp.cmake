# VRRP acceptance: the real hbd as a VRRP router against keepalived 2.2.7, and groups that follow a VRRP
# instance (label "cluster"; need root + ip netns + keepalived; group test: nginx).
# Included from tests/cluster/CMakeLists.txt.
#   vrrp_keepalived  v2 PASS @1 s: election both ways, kill -9 failover, restart/preempt, SIGTERM (priority 0),
#                    nopreempt on either side
#   vrrp_v3          v3 @0.1 s: election both ways, kill -9 failover under 1 s, preempt, SIGTERM
#   vrrp_unicast     unicast_src_ip/unicast_peer (v3 @0.1 s and v2 PASS): election and failover both ways
#   vrrp_mismatch    wrong auth_pass, advert_int, version, VRID; forged TTL/checksum: dropped and counted
#   vrrp_track       vrrp_script weight -60 moves the master to keepalived and back; effective priority shown
#   vrrp_group       two hbd nodes, haresources `vrrp:VI_1 marker::M ocf:hbd:nginx`: the group follows MASTER
#   vrrp_parity      next to keepalived with the same file: a `[[ ]]` check (bash syntax) is disabled on both and
#                    the dual master agrees; `auth_type pass` means no authentication on both
foreach(t vrrp_keepalived vrrp_v3 vrrp_unicast vrrp_mismatch vrrp_track vrrp_group vrrp_parity)
  hb_add_script_test(NAME cluster_${t} SCRIPT ${CMAKE_CURRENT_SOURCE_DIR}/${t}_test.sh LABEL cluster TIMEOUT 300)
  if(TEST cluster_${t})
    set_tests_properties(cluster_${t} PROPERTIES RESOURCE_LOCK netns)
  endif()
endforeach()
