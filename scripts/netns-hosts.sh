#!/usr/bin/env bash
# Several "hosts" on one machine, for tests (the recipe verified in research/mpi.md): network namespaces
# NAMEh1..NAMEhn, each with a veth "eth0" on a bridge NAMEbr, addresses in a private test subnet, and /etc/hosts
# names for them. Needs root and iproute2. Sends no traffic anywhere; only what runs inside the namespaces talks.
#   scripts/netns-hosts.sh up NAME PREFIX N   e.g. "up wkn41 10.213.41 2": bridge 10.213.41.1/24, hosts wkn41h1 (.11), wkn41h2 (.12)
#                                             PREFIX "auto": the first free 10.213.X (X 20..249); prints "prefix 10.213.X"
#   scripts/netns-hosts.sh down NAME          removes the namespaces (their veths go with them), the bridge and the /etc/hosts lines
#   scripts/netns-hosts.sh agent FILE         writes an rsh agent for mpirun's --mca plm_rsh_agent: runs the command inside namespace $1
# NAME is letters then digits (e.g. wkn + a process id): the "h" before a host's number keeps one run's hosts out of
# another's pattern (wkn4's hosts wkn4h1.. never match wkn41's wkn41h1..), so parallel runs cannot clash or remove
# each other's namespaces. "up" refuses a NAME or PREFIX already in use; choosing and taking a prefix happen under one
# lock (/run/wanka-netns.lock), so two runs never take the same subnet.
set -euo pipefail
action=${1:?up, down or agent}
case "$action" in
  up)
    name=${2:?NAME}; prefix=${3:?PREFIX like 10.213.41, or auto}; n=${4:-2}
    [[ "$name" =~ ^[a-z]+[0-9]+$ ]] || { echo "netns-hosts: NAME must be letters then digits, like wkn123 (got $name)" >&2; exit 2; }
    [ ${#name} -le 12 ] || { echo "netns-hosts: NAME must be at most 12 characters (interface names)" >&2; exit 2; }
    exec 9>/run/wanka-netns.lock
    flock 9
    if ip link show "${name}br" >/dev/null 2>&1 || grep -qE "^${name}h[0-9]+( |$)" <<<"$(ip netns list)"; then
      echo "netns-hosts: $name is in use (bridge ${name}br or namespaces ${name}h*); run \"down $name\" if it is a leftover" >&2; exit 3
    fi
    used() { local a; a=$(ip -o -4 addr show); grep -q " inet $1\.[0-9]*/" <<<"$a"; }
    if [ "$prefix" = auto ]; then
      prefix=
      for x in $(seq 20 249); do used "10.213.$x" || { prefix="10.213.$x"; break; }; done
      [ -n "$prefix" ] || { echo "netns-hosts: no free 10.213.X/24 subnet left" >&2; exit 3; }
    elif used "$prefix"; then
      echo "netns-hosts: subnet $prefix.0/24 is in use on this machine" >&2; exit 3
    fi
    ip link add "${name}br" type bridge
    ip addr add "$prefix.1/24" dev "${name}br"
    flock -u 9
    ip link set "${name}br" up
    for i in $(seq 1 "$n"); do
      h="${name}h$i"
      ip netns add "$h"
      ip link add "${name}v$i" type veth peer name eth0 netns "$h"
      ip link set "${name}v$i" master "${name}br"
      ip link set "${name}v$i" up
      ip netns exec "$h" ip addr add "$prefix.$((10 + i))/24" dev eth0
      ip netns exec "$h" ip link set eth0 up
      ip netns exec "$h" ip link set lo up
      echo "$prefix.$((10 + i)) $h # wanka-netns $name" >> /etc/hosts
    done
    echo "prefix $prefix"
    ;;
  down)
    name=${2:?NAME}
    [[ "$name" =~ ^[a-z]+[0-9]+$ ]] || { echo "netns-hosts: NAME must be letters then digits, like wkn123 (got $name)" >&2; exit 2; }
    for h in $(ip netns list | awk '{print $1}' | grep -E "^${name}h[0-9]+$" || true); do ip netns del "$h" || true; done
    ip link del "${name}br" 2>/dev/null || true
    rm -rf "/tmp/wanka-netns-${name}h"[0-9]*
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
