"""DSP benchmarks on emulated ports: builds tests/bench/dsp for each port,
runs every case and prints a Markdown table (instructions per call and per
sample, flash = firmware - baseline, peak stack).

Usage: PYTHONPATH=generator /usr/bin/python3 tests/bench/dsp/bench_dsp.py [port ...]   (default: cortex-m4f)"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "generator"))
from ctml.measure import flash_of, log, parse, run  # noqa: E402

CASES = {  # name: (samples per call, what)
    "power256": (256, "f32 power spectrum, N=256"),
    "logmel1024": (1024, "f32 log-mel, 1024 samples -> 64 slaney mels, dB"),
    "butter8": (256, "f32 Butterworth 8th order (scipy sos as given), streaming"),
    "fir32": (256, "f32 FIR 32 taps, streaming"),
    "fir32q15": (256, "q15 FIR 32 taps on int16, streaming"),
    "butter8q15": (256, "q15 Butterworth 8th order (scipy sos as given) on int16, streaming"),
    "decimate4": (256, "f32 FIR 32 taps decimating by 4 (per input sample), streaming"),
}


def bench(port: str) -> list:
    build = os.path.join(ROOT, "build", f"bench-dsp-{port}")
    run(["cmake", "-S", os.path.join(ROOT, "tests", "bench", "dsp"), "-B", build, "-G", "Ninja",
         f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(ROOT, 'ports', port, 'toolchain.cmake')}"])
    run(["cmake", "--build", build, "-j2"])
    out = run(["ctest", "--test-dir", build, "-V"])
    runs = {}
    for block in out.split("Start ")[1:]:
        name = block.split()[1]
        runs[name.replace("bench_dsp_", "")] = parse(block)
    base = flash_of(port, os.path.join(build, "bench_dsp_baseline.elf"))
    rows = []
    for case, (samples, what) in CASES.items():
        v = runs[case]
        flash = flash_of(port, os.path.join(build, f"bench_dsp_{case}.elf")) - base
        n = v["instructions_per_call"]
        rows.append(f"| {port} | {what} | {n:,} | {n / samples:.1f} | {flash:,} | {v['stack']} |")
    return rows


def main(ports) -> None:
    print("| port | case | per call | per sample | flash B | stack B |")
    print("|---|---|---|---|---|---|")
    for port in ports:
        log(f"bench_dsp: {port}")
        for row in bench(port):
            print(row)


if __name__ == "__main__":
    main(sys.argv[1:] or ["cortex-m4f"])
