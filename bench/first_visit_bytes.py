"""What a workbook page's first visit downloads, file by file: a real
Chromium (``/usr/bin/chromium``) opens the room's join link of a real
``workshop serve`` (a fresh SQLite store, as bench/voila_room.py starts
it), then the Diagnosis page, and the DevTools protocol's
``encodedDataLength`` of every response (bytes on the wire: headers and
the body as sent, compressed or not) is listed, largest first, with its
``Content-Encoding``. Kernel websocket frames are counted, not sized
(DevTools shows them decompressed).

    WORKSHOP_STATIC_CACHE=/tmp/xs-cache .venv/bin/python bench/first_visit_bytes.py out.json [seconds for precompression]

Issue #18 item 1 (first visit <= 1.2 MB): this says where the bytes are.
"""
from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
import voila_room
from playwright.async_api import async_playwright

PAGE = "stage-1-diagnosis.ipynb"

async def main(out):
    workdir = Path(tempfile.mkdtemp(prefix="bytes-"))
    server = voila_room.start_workbook_server(workdir, 1, 1)
    try:
        voila_room.wait_http(server)
        voila_room.wait_warm([server], refill=False)
        server.join = voila_room.join_link(server)
        time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 20)  # precompression
        async with async_playwright() as p:
            b = await p.chromium.launch(executable_path="/usr/bin/chromium")
            ctx = await b.new_context()
            page = await ctx.new_page()
            cdp = await ctx.new_cdp_session(page)
            await cdp.send("Network.enable")
            reqs, sizes, ws = {}, {}, [0, 0]
            cdp.on("Network.responseReceived", lambda e: reqs.__setitem__(e["requestId"], (e["response"]["url"], e["response"]["headers"].get("Content-Encoding") or e["response"]["headers"].get("content-encoding"))))
            cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
            def frame(e):
                ws[0] += 1; ws[1] += len(e["response"]["payloadData"])
            cdp.on("Network.webSocketFrameReceived", frame)
            if server.join:
                await ctx.request.get(server.join, max_redirects=0, timeout=300_000)
            url = server.url
            print("URL", url, "JOIN", server.join)
            await page.goto(url, wait_until="load", timeout=300_000)
            await page.locator(".xs-signin-name input, .widget-text input").first.wait_for(state="visible", timeout=90_000)
            await page.wait_for_load_state("networkidle", timeout=300_000)
            await asyncio.sleep(2)
            rows = sorted(((sizes.get(k, 0), v[0], v[1]) for k, v in reqs.items()), reverse=True)
            total = sum(r[0] for r in rows)
            for s, u, enc in rows:
                print(f"{s:>9} {enc or '-':5} {u[:150]}")
            print(f"TOTAL {total} bytes in {len(rows)} responses; websocket frames {ws[0]} ({ws[1]} payload chars, decompressed)")
            Path(out).write_text(json.dumps({"total": total, "rows": rows, "ws": ws}, indent=1))
            await b.close()
    finally:
        server.stop()

if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
