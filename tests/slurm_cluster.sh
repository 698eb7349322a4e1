#!/usr/bin/env bash
# A throw-away single-node SLURM cluster on localhost, for tests/test_slurm.py (and for trying profiles/slurm).
#   tests/slurm_cluster.sh start DIR   write DIR/slurm.conf, start munged (if none answers), slurmctld, slurmd;
#                                      wait until the node is idle; print `export PATH=DIR/bin:$PATH`
#                                      (DIR/bin holds srun, sbatch, squeue, ... wrappers that set SLURM_CONF:
#                                      the slurm executor plugin deletes SLURM_* variables inside jobs, so a
#                                      nested `srun` would otherwise look for /etc/slurm/slurm.conf)
#   tests/slurm_cluster.sh stop DIR    stop the daemons started by `start` (by the PIDs in DIR/*.pid only)
# Needs the Debian packages slurmctld slurmd slurm-client munge (.ci/run installs them) and root (no systemd).
# Two partitions on the one node: `cpu` (default) and `gpu`; one fake GPU (gres on /dev/null) so that
# `sbatch --gpus=1` is accepted. No cgroups, no accounting daemon: status comes from squeue (MinJobAge=600 keeps
# finished jobs visible to `squeue -t all` and `scontrol show job` for 10 minutes).
set -euo pipefail
cmd=${1:?usage: slurm_cluster.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: slurm_cluster.sh start|stop DIR}" && cd "$2" && pwd)

# munged (user munge) cannot write into a private temp dir: its pid file lives in /run/munge, named after DIR
munge_pid=/run/munge/mixseq-test-$(printf %s "$dir" | md5sum | cut -c1-12).pid

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

stop_pidfile() {  # kill the daemon whose PID is in $1 (only if it is still that daemon), wait for it to exit
  local f=$1 name=$2 pid
  [[ -s $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null && grep -q "$name" "/proc/$pid/comm" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$f"
}

case $cmd in
start)
  for b in munged slurmctld slurmd sbatch squeue; do
    command -v "$b" >/dev/null || { echo "slurm_cluster.sh: '$b' not found; install the Debian packages" \
      "slurmctld slurmd slurm-client munge (bash .ci/run does)" >&2; exit 2; }
  done
  mkdir -p "$dir/ctld" "$dir/d" "$dir/log"
  # munge: reuse a running munged (it authenticates any local user), else start one as user munge.
  if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    [[ -s /etc/munge/munge.key ]] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none; }
    chown -R munge: /etc/munge /run/munge /var/log/munge /var/lib/munge
    chmod 0400 /etc/munge/munge.key
    runuser -u munge -- munged --pid-file="$munge_pid"  # `stop` stops only this one
    for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  host=$(hostname -s)
  cpus=$(nproc)
  cat >"$dir/slurm.conf" <<CONF
ClusterName=mixseqtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/d
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu
ReturnToService=2
MinJobAge=600
SchedulerParameters=sched_interval=2
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=64000 Gres=gpu:1 State=UNKNOWN
PartitionName=cpu Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$host Default=NO MaxTime=INFINITE State=UP
CONF
  printf 'AutoDetect=off\nName=gpu File=/dev/null\n' >"$dir/gres.conf"
  mkdir -p "$dir/bin"
  for b in srun sbatch squeue sacct sacctmgr sshare sstat scancel scontrol sinfo; do
    real=$(PATH=${PATH//$dir\/bin:/} command -v "$b" || true)
    [[ -n $real ]] || continue
    printf '#!/bin/sh\nSLURM_CONF=%s exec %s "$@"\n' "$dir/slurm.conf" "$real" >"$dir/bin/$b"
    chmod +x "$dir/bin/$b"
  done
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF" -N "$host"
  for _ in $(seq 100); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null | head -1 || true)
    [[ $state == idle* ]] && break
    sleep 0.2
  done
  if [[ $state != idle* ]]; then
    echo "slurm_cluster.sh: node '$host' is '${state:-unreachable}' after 20 s; see $dir/log" >&2
    tail -n 20 "$dir"/log/*.log >&2 || true
    exit 1
  fi
  echo "export PATH=$dir/bin:\$PATH"
  ;;
stop)
  stop_pidfile "$dir/slurmd.pid" slurmd
  stop_pidfile "$dir/slurmctld.pid" slurmctld
  stop_pidfile "$munge_pid" munged
  ;;
*) echo "usage: slurm_cluster.sh start|stop DIR" >&2; exit 2 ;;
esac
