#!/usr/bin/env bash
# Starts (or stops) a real single-node Slurm on this machine for tests, as root on Debian:
#   scripts/slurm-local.sh start    # installs slurm-wlm + munge if needed, writes configs, starts munged, slurmctld, slurmd
#   scripts/slurm-local.sh stop     # stops the daemons it started
set -euo pipefail
action="${1:-start}"
state=/run/wanka-slurm
host=$(hostname -s)
if [ "$action" = stop ]; then
  for p in slurmd slurmctld; do [ -f "/run/$p.pid" ] && kill "$(cat /run/$p.pid)" 2>/dev/null || true; done
  [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  # Wait until they are gone: a start right after a stop must not find a dying daemon and skip starting one.
  for i in $(seq 1 30); do
    pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || pgrep -x munged >/dev/null || exit 0
    sleep 0.5
  done
  pkill -9 -x slurmctld 2>/dev/null || true; pkill -9 -x slurmd 2>/dev/null || true; pkill -9 -x munged 2>/dev/null || true
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "slurm-local: needs root" >&2; exit 2; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) >/dev/null
fi
mkdir -p "$state" /etc/munge /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
if [ ! -s /etc/munge/munge.key ]; then head -c 1024 /dev/urandom > /etc/munge/munge.key; fi
chown munge:munge /etc/munge/munge.key /run/munge; chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
mem=$(awk '/MemTotal/ {print int($2/1024) - 1024}' /proc/meminfo)
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=wanka
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmUser=root
MpiDefault=none
NodeName=$host CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for i in $(seq 1 30); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mix|alloc' && { echo "slurm-local: node $host is up"; exit 0; }
  sleep 1
done
echo "slurm-local: slurm did not come up" >&2; sinfo >&2 || true; exit 1
