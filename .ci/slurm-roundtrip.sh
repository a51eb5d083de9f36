#!/usr/bin/env bash
# SLURM round trip of a sweep on a real single-node cluster (this host): install slurm-wlm and munge if missing,
# write a minimal slurm.conf, start munged, slurmctld and slurmd, submit the job array that `sweep --slurm` writes
# (its tasks are the shards; a dependent job merges them), wait for it, merge again by hand, run the same sweep
# locally and require byte-identical results.csv. The daemons are stopped on exit, however the script ends.
#
# Usage: .ci/slurm-roundtrip.sh [SWEEP_FILE]     (default: examples/sweeps/fig2-noise.yaml; needs root)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
sweep=${1:-examples/sweeps/fig2-noise.yaml}
timeout_s=${SLURM_ROUNDTRIP_TIMEOUT:-600}

say() { echo "slurm-roundtrip: $*"; }
fail() { echo "slurm-roundtrip: error: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
  fail "needs root (it installs slurm-wlm and munge and starts their daemons)"
fi

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# The CLI as CI builds it (Debug unless CONFIGURATION says otherwise); the array tasks run this same binary.
config=${CONFIGURATION:-Debug}
dotnet build src/LatentSpikes.Cli -c "$config" -v quiet -nologo >/dev/null
cli="$repo/src/LatentSpikes.Cli/bin/$config/net10.0/LatentSpikes.Cli"
[ -x "$cli" ] || fail "the CLI was not built at $cli"

work=$(mktemp -d /tmp/latentspikes-slurm.XXXXXX)
state="$work/state"
mkdir -p "$state/spool" "$state/ctld" "$state/log"
started_munge=""
munge_pid=/run/munge/latentspikes-ci.pid  # where the munge user may write it

cleanup() {
  local status=$?
  local pids=()
  for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid" ${started_munge:+"$munge_pid"}; do
    if [ -s "$pidfile" ]; then
      pids+=("$(cat "$pidfile")")
      kill "${pids[-1]}" 2>/dev/null || true
    fi
  done
  # Let the daemons finish writing their state before the folder goes.
  for _ in $(seq 50); do
    local alive=""
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=yes; done
    [ -z "$alive" ] && break
    sleep 0.2
  done
  if [ "$status" -ne 0 ]; then
    for log in "$state"/log/*.log; do
      [ -f "$log" ] && { echo "--- $log (last lines)"; tail -n 20 "$log"; }
    done
    for log in "$work"/cluster/slurm/logs/*; do
      [ -f "$log" ] && { echo "--- $log"; cat "$log"; }
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# munge authenticates slurmctld and slurmd to each other; reuse a running munged, else start one as the munge user.
if ! pgrep -x munged >/dev/null 2>&1; then
  mkdir -p /run/munge /var/lib/munge /var/log/munge /etc/munge
  chown -R munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged --pid-file="$munge_pid" \
    || /usr/sbin/munged --force --pid-file="$munge_pid"
  started_munge=yes
fi
munge -n | unmunge >/dev/null || fail "munge does not authenticate (munged not working)"

# One node, this host, reached over loopback; ports away from a real cluster's defaults; no accounting, no cgroups.
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 2048 ))
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=latentspikes-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

/usr/sbin/slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
/usr/sbin/slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 60); do
  [ "$(sinfo -h -o %t 2>/dev/null)" = "idle" ] && break
  sleep 1
done
[ "$(sinfo -h -o %t 2>/dev/null)" = "idle" ] || fail "the node did not come up idle: $(sinfo 2>&1 | tr '\n' ' ')"
say "single-node cluster up on $host ($cpus CPUs)"

# The array job exactly as a user would submit it.
"$cli" sweep "$sweep" --slurm --out "$work/cluster" --array-size 3 --partition ci --time 00:10:00
read -r array_job merge_job < <(bash "$work/cluster/slurm/submit.sh")
say "submitted array job $array_job and merge job $merge_job"
deadline=$((SECONDS + timeout_s))
while [ -n "$(squeue -h -j "$array_job,$merge_job" 2>/dev/null)" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "jobs still queued or running after ${timeout_s}s: $(squeue 2>&1 | tr '\n' ' ')"
  sleep 2
done
for job in "$array_job" "$merge_job"; do
  states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' ')
  [ "$states" = "JobState=COMPLETED " ] || fail "job $job ended as: $states"
done
[ -f "$work/cluster/results.csv" ] || fail "the merge job wrote no results.csv"
cp "$work/cluster/results.csv" "$work/merged-by-job.csv"

# The documented manual merge gives the same table, and so does a local run of the whole sweep.
"$cli" merge "$work/cluster"
cmp "$work/merged-by-job.csv" "$work/cluster/results.csv" || fail "merge by hand differs from the merge job's table"
"$cli" sweep "$sweep" --out "$work/local" >/dev/null
cmp "$work/local/results.csv" "$work/cluster/results.csv" || fail "the SLURM table differs from the local run's"
say "ok: $(($(wc -l < "$work/local/results.csv") - 1)) runs in 3 array tasks + merge == local run (byte-identical results.csv)"
