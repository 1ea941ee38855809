"""What this machine's CPU offers, read from /proc/cpuinfo (Linux)."""

from __future__ import annotations

from typing import Optional

CPUINFO = "/proc/cpuinfo"
# Flags that mean native bfloat16 arithmetic (AVX512-BF16 dot products or
# Intel AMX tiles); without them TensorFlow emulates bfloat16 on a CPU.
BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo_text: Optional[str] = None) -> frozenset[str]:
  """The feature flags of the first processor listed in `cpuinfo_text`
  (default: the contents of /proc/cpuinfo; empty if it cannot be read)."""
  if cpuinfo_text is None:
    try:
      with open(CPUINFO) as f:
        cpuinfo_text = f.read()
    except OSError:
      return frozenset()
  for line in cpuinfo_text.splitlines():
    key, sep, value = line.partition(":")
    if sep and key.strip() in ("flags", "Features"):
      return frozenset(value.split())
  return frozenset()


def native_bf16(cpuinfo_text: Optional[str] = None) -> tuple[bool, str]:
  """(whether the CPU has native bfloat16, a sentence saying why)."""
  flags = cpu_flags(cpuinfo_text)
  found = [f for f in BF16_FLAGS if f in flags]
  if found:
    return True, f"the CPU has native bfloat16 ({', '.join(found)})"
  if not flags:
    return False, f"no CPU flags could be read from {CPUINFO}"
  return False, (f"the CPU has none of {', '.join(BF16_FLAGS)}, so "
                 "bfloat16 would be emulated")


def preferred_precision(cpuinfo_text: Optional[str] = None
                        ) -> tuple[str, str]:
  """("bfloat16" or "float32", the reason) for a CPU run: bfloat16 only
  where the CPU computes it natively."""
  native, why = native_bf16(cpuinfo_text)
  return ("bfloat16" if native else "float32"), why
