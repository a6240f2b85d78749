"""Overview page budgets: first-load transfer (gzip, empty cache), later-load transfer, server
time; and the situation report's PDF time. Not part of `make test`.

    # a running HBMM with the demo data (DEMO=1 make run PORT=8106 ...) and a national user:
    .venv/bin/python benchmarks/overview_load.py --url http://127.0.0.1:8106 \
        --username USER --password PASS [--as-of 2020-05-15] [--screenshot out.png]

Transfer sizes are what Chromium reports as received on the wire (encodedDataLength, so gzip
where the server compressed) for every request of the page, after the browser cache is cleared.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8106")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--as-of", default="")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--screenshot", default="")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    query = f"?as_of={args.as_of}" if args.as_of else ""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(locale=args.lang, viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.goto(f"{args.url}/accounts/login/")
        page.fill("#id_username", args.username)
        page.fill("#id_password", args.password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )

        def load() -> tuple[int, float, list]:
            sizes.clear()
            urls.clear()
            t0 = time.perf_counter()
            page.goto(f"{args.url}/{query}")
            page.wait_for_selector(".chart[data-drawn] svg", timeout=30000)
            page.wait_for_selector(".map[data-drawn]", timeout=30000)
            page.wait_for_load_state("networkidle")
            elapsed = time.perf_counter() - t0
            rows = sorted(((sizes[r], urls.get(r, "?")) for r in sizes), reverse=True)
            return sum(sizes.values()), elapsed, rows

        cdp.send("Network.clearBrowserCache")
        first, first_time, rows = load()
        later, later_time, _rows = load()
        print(
            f"first load (empty cache): {first / 1024:.1f} KiB transferred,"
            f" {first_time:.2f} s to drawn"
        )
        for size, url in rows[:12]:
            print(f"  {size / 1024:8.1f} KiB  {url.replace(args.url, '')[:90]}")
        print(
            f"later load (cached):      {later / 1024:.1f} KiB transferred,"
            f" {later_time:.2f} s to drawn"
        )
        if args.screenshot:
            page.screenshot(path=args.screenshot, full_page=True)
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        browser.close()

    import requests

    session = requests.Session()
    session.cookies.update(cookies)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        response = session.get(f"{args.url}/{query}", headers={"Accept-Encoding": "gzip"})
        times.append(time.perf_counter() - t0)
        response.raise_for_status()
    print(
        f"overview HTML server time over {args.repeat} requests:"
        f" median {statistics.median(times):.3f} s,"
        f" max {max(times):.3f} s ({len(response.content) / 1024:.1f} KiB HTML uncompressed)"
    )
    t0 = time.perf_counter()
    response = session.get(f"{args.url}/reports/report/{query or '?'}&format=pdf&lang={args.lang}")
    response.raise_for_status()
    print(
        f"sitrep PDF over HTTP: {time.perf_counter() - t0:.2f} s"
        f" ({len(response.content) / 1024:.1f} KiB)"
    )


if __name__ == "__main__":
    main()
