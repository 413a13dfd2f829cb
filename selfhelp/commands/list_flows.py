"""``selfhelp list``: the flows found, with ids, titles and where they came from."""

from __future__ import annotations

import argparse
import json

from selfhelp.commands.common import catalog_from_args, warn_broken


def run(args: argparse.Namespace) -> int:
    catalog = catalog_from_args(args)
    warn_broken(catalog)
    rows = [
        {"id": fid, "title": lf.flow.title, "version": lf.flow.version, "origin": lf.origin, "path": str(lf.path)}
        for fid, lf in sorted(catalog.flows.items())
    ]
    if args.json:
        print(json.dumps({"flows": rows}, indent=2))
        return 0
    if not rows:
        print("No flows found.")
        return 0
    width = max(len(r["id"]) for r in rows)
    for row in rows:
        print(f"{row['id']:<{width}}  {row['title']}  (v{row['version']}, {row['origin']}: {row['path']})")
    return 0
