#!/usr/bin/env bash
# Several "hosts" on one machine, for tests (the recipe verified in research/mpi.md): network namespaces
# NAME1..NAMEn, each with a veth "eth0" on a bridge NAMEbr, addresses in a private test subnet, and /etc/hosts
# names for them. Needs root and iproute2. Sends no traffic anywhere; only what runs inside the namespaces talks.
#   scripts/netns-hosts.sh up NAME PREFIX N   e.g. "up wkn41 10.213.41 2": bridge 10.213.41.1/24, hosts wkn411 (.11), wkn412 (.12)
#   scripts/netns-hosts.sh down NAME          removes the namespaces (their veths go with them), the bridge and the /etc/hosts lines
#   scripts/netns-hosts.sh agent FILE         writes an rsh agent for mpirun's --mca plm_rsh_agent: runs the command inside namespace $1
set -euo pipefail
action=${1:?up, down or agent}
case "$action" in
  up)
    name=${2:?NAME}; prefix=${3:?PREFIX like 10.213.41}; n=${4:-2}
    [ ${#name} -le 12 ] || { echo "netns-hosts: NAME must be at most 12 characters (interface names)" >&2; exit 2; }
    ip link add "${name}br" type bridge
    ip addr add "$prefix.1/24" dev "${name}br"
    ip link set "${name}br" up
    for i in $(seq 1 "$n"); do
      h="$name$i"
      ip netns add "$h"
      ip link add "${name}v$i" type veth peer name eth0 netns "$h"
      ip link set "${name}v$i" master "${name}br"
      ip link set "${name}v$i" up
      ip netns exec "$h" ip addr add "$prefix.$((10 + i))/24" dev eth0
      ip netns exec "$h" ip link set eth0 up
      ip netns exec "$h" ip link set lo up
      echo "$prefix.$((10 + i)) $h # wanka-netns $name" >> /etc/hosts
    done
    ;;
  down)
    name=${2:?NAME}
    for h in $(ip netns list | awk '{print $1}' | grep -E "^${name}[0-9]+$" || true); do ip netns del "$h" || true; done
    ip link del "${name}br" 2>/dev/null || true
    rm -rf "/tmp/wanka-netns-$name"[0-9]*
    if grep -q "# wanka-netns $name\$" /etc/hosts; then
      grep -v "# wanka-netns $name\$" /etc/hosts > "/etc/hosts.wanka-$name" && cat "/etc/hosts.wanka-$name" > /etc/hosts && rm -f "/etc/hosts.wanka-$name"
    fi
    ;;
  agent)
    file=${2:?FILE}
    cat > "$file" <<'AGENT'
#!/usr/bin/env bash
# mpirun's rsh agent for network-namespace hosts: "agent HOST COMMAND..." runs COMMAND inside namespace HOST
# (and notes the host in AGENT.log, so a test can see that every host was entered). Each host gets its own
# TMPDIR, as separate machines would: Open MPI's session directories are named after the (shared) hostname.
# WANKA_HOST names the host to the ranks (level 1 on peer hosts), since the namespaces share the hostname.
host=$1; shift
echo "$host" >> "$0.log"
mkdir -p "/tmp/wanka-netns-$host"
exec ip netns exec "$host" env TMPDIR="/tmp/wanka-netns-$host" WANKA_HOST="$host" bash -c "$*"
AGENT
    chmod +x "$file"
    ;;
  *) echo "netns-hosts: unknown action $action (up, down, agent)" >&2; exit 2 ;;
esac
