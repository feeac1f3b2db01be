"""Screenshots of the console's main pages for the README, on the test deployment:

    python -m tests.support.console_screens docs/

writes console-today.png, console-outbox.png, console-reply.png and console-audit.png, each
taken by Debian's chromium through Selenium at 1000×640."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.support.console import PASSWORD, running_console

PAGES = {"today": "", "outbox": "outbox", "reply": None, "audit": "audit"}


def _browser(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,640",
                 "--hide-scrollbars", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=webdriver.ChromeService(shutil.which("chromedriver")),
                            options=options)


def take(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch, running_console(Path(scratch)) as console:
        browser = _browser(Path(scratch) / "profile")
        try:
            browser.get(console.url + "login")
            browser.find_element(By.NAME, "name").send_keys("alice")
            browser.find_element(By.NAME, "password").send_keys(PASSWORD)
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            (held,) = console.query("select id from outbox where status = 'held' and kind = "
                                    "'deficiency' order by id limit 1")
            written = []
            for name, path in PAGES.items():
                browser.get(console.url + (path if path is not None else f"outbox/{held['id']}"))
                target = folder / f"console-{name}.png"
                browser.save_screenshot(str(target))
                written.append(target)
            return written
        finally:
            browser.quit()


if __name__ == "__main__":
    for path in take(Path(sys.argv[1])):
        print(path, path.stat().st_size)
