#!/bin/bash
# spin-count experiment: quiet and busy, per GOMP_SPINCOUNT
for spin in ${SPINS:-none}; do
  for busy in 0 2; do
    pids=()
    for i in $(seq 1 $busy); do .venv/bin/python -c "while True: pass" & pids+=($!); done
    if [ $spin = none ]; then env PYTHONPATH=. .venv/bin/python -m benchmarks.stages --measure > /tmp/spin_${spin}_${busy}.json 2>/dev/null
    else env GOMP_SPINCOUNT=$spin PYTHONPATH=. .venv/bin/python -m benchmarks.stages --measure > /tmp/spin_${spin}_${busy}.json 2>/dev/null; fi
    for p in "${pids[@]}"; do kill $p; done
    echo "spin=$spin busy=$busy $(tail -1 /tmp/spin_${spin}_${busy}.json)"
  done
done
