"""The overview's first load over a slow link (agents' phones at border posts): Chromium's
network emulation at about 400 kbit/s down, 400 kbit/s up, 400 ms latency, empty cache, on a
360 x 740 screen. Not part of `make test`.

    # a running HBMM with the demo data (DEMO=1 make run PORT=8106 ...) and a national user:
    .venv/bin/python benchmarks/overview_slow_link.py --url http://127.0.0.1:8106 \
        --username USER --password PASS [--as-of 2020-05-15] [--runs 3] [--screenshot out.png]

Prints, per run, from the start of the navigation: the first contentful paint, the time the
first key figure is painted (Element Timing of the figures' values, elementtiming="figure"), DOMContentLoaded,
the first chart drawn, the map drawn, and the bytes received. Target: figures under 5 s.
"""

import argparse
import statistics
import time

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
KBIT = 1000 / 8  # bytes per second in one kbit/s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8106")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--as-of", default="")
    parser.add_argument("--lang", default="fr")
    parser.add_argument("--down-kbit", type=float, default=400)
    parser.add_argument("--up-kbit", type=float, default=400)
    parser.add_argument("--latency-ms", type=float, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--width", type=int, default=360)
    parser.add_argument("--height", type=int, default=740)
    parser.add_argument("--screenshot", default="")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    query = f"?as_of={args.as_of}" if args.as_of else ""
    results: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale=args.lang, viewport={"width": args.width, "height": args.height}
        )
        page = context.new_page()
        page.goto(f"{args.url}/accounts/login/")  # logging in at full speed
        page.fill("#id_username", args.username)
        page.fill("#id_password", args.password)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        received: list[int] = []
        cdp.on("Network.loadingFinished", lambda e: received.append(int(e["encodedDataLength"])))
        print(
            f"link: {args.down_kbit:.0f} kbit/s down, {args.up_kbit:.0f} kbit/s up,"
            f" {args.latency_ms:.0f} ms latency; screen {args.width} x {args.height}"
        )
        for run in range(1, args.runs + 1):
            cdp.send("Network.clearBrowserCache")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": args.latency_ms,
                    "downloadThroughput": args.down_kbit * KBIT,
                    "uploadThroughput": args.up_kbit * KBIT,
                },
            )
            received.clear()
            t0 = time.perf_counter()
            page.goto(f"{args.url}/{query}", wait_until="commit")
            page.locator(".figure .value").first.wait_for(state="visible", timeout=120_000)
            page.wait_for_selector(".chart[data-drawn]", timeout=180_000)
            chart = time.perf_counter() - t0
            page.wait_for_selector(".map[data-drawn]", timeout=180_000)
            drawn = time.perf_counter() - t0
            page.wait_for_load_state("load")
            timing = page.evaluate(
                """() => {
                  const nav = performance.getEntriesByType("navigation")[0];
                  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
                  return new Promise((resolve) => {
                    new PerformanceObserver((list) => {
                      const painted = list.getEntries().filter((e) => e.identifier === "figure")
                        .map((e) => e.renderTime || e.loadTime);
                      resolve({fcp: fcp ? fcp.startTime : null, dcl: nav.domContentLoadedEventEnd,
                               figure: painted.length ? Math.min(...painted) : null,
                               html: nav.encodedBodySize});
                    }).observe({type: "element", buffered: true});
                  });
                }"""
            )
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
            })  # fmt: skip
            row = {
                "first contentful paint": timing["fcp"] / 1000,
                "first figure painted": timing["figure"] / 1000,
                "DOMContentLoaded": timing["dcl"] / 1000,
                "first chart drawn": chart,
                "map drawn": drawn,
            }
            for key, value in row.items():
                results.setdefault(key, []).append(value)
            print(
                f"run {run}: "
                + ", ".join(f"{k} {v:.2f} s" for k, v in row.items())
                + f"; {sum(received) / 1024:.0f} KiB received (HTML {timing['html'] / 1024:.0f} KiB)"
            )
        if args.screenshot:
            page.screenshot(path=args.screenshot)
        browser.close()
    print("median: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in results.items()))
    figures = statistics.median(results["first figure painted"])
    print(f"first figures {'under' if figures < 5 else 'OVER'} 5 s ({figures:.2f} s)")


if __name__ == "__main__":
    main()
