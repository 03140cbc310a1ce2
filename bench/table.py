"""Print the figures table of bench/README.md from the JSON files of ``fengqiao bench run
--json``: one column group per file (database and size).

    python bench/table.py sqlite-100k.json postgresql-100k.json
"""

import json
import sys
from pathlib import Path


def _ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def main(paths: list[str]) -> None:
    runs = [json.loads(Path(p).read_text()) for p in paths]
    names: list[str] = []
    for run in runs:
        for r in run["results"]:
            if r["name"] not in names:
                names.append(r["name"])
    head = "| benchmark |"
    rule = "|---|"
    for run in runs:
        label = f"{run['vendor']} {run['cases'] // 1000}k"
        head += f" {label} median | p95 | cpu | floor | ratio | q or req/s |"
        rule += "---:|---:|---:|---:|---:|---:|"
    print(head)
    print(rule)
    for name in names:
        line = f"| {name} |"
        for run in runs:
            r = next((x for x in run["results"] if x["name"] == name), None)
            if r is None:
                line += " — | — | — | — | — | — |"
                continue
            ratio = f"×{r['ratio']:.1f}" if r.get("ratio") else "—"
            last = f"{r['rps']:.1f}/s" if r.get("rps") is not None else str(r.get("queries") or "—")
            line += (
                f" {_ms(r['median_ms'])} | {_ms(r['p95_ms'])} | {_ms(r.get('cpu_ms'))} |"
                f" {_ms(r.get('floor_ms'))} | {ratio} | {last} |"
            )
        print(line)
    for run in runs:
        rss = run.get("rss_mb") or {}
        if rss:
            print(
                f"\n{run['vendor']} {run['cases']:,}: server RSS peak — master "
                f"{rss.get('master')} MB, largest worker {rss.get('worker_max')} MB."
            )


if __name__ == "__main__":
    main(sys.argv[1:])
