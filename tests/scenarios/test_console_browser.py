"""The console in a real browser (Debian's chromium, driven by Selenium through Debian's
chromium-driver): log in, see the campaigns, open a held reply and approve it and see the
spool receive it, a viewer who cannot act, and an applicant's markup that never runs."""
from __future__ import annotations

import shutil

import pytest

from tests.support.console import PASSWORD, VIEWER_PASSWORD, running_console

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason=(
    "Debian's chromium and chromium-driver are not installed (.ci/system-packages installs them)"))


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    with running_console(tmp_path_factory.mktemp("console-browser")) as workspace:
        yield workspace


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def log_in(browser, console, name: str, password: str) -> None:
    browser.get(console.url + "login")
    browser.find_element(By.NAME, "name").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 10).until(expected_conditions.title_contains("今日"))


def test_a_handler_logs_in_approves_a_held_reply_and_the_spool_receives_it(browser, console):
    log_in(browser, console, "alice", PASSWORD)
    assert "gpipc-park-2024" in browser.page_source
    browser.find_element(By.LINK_TEXT, "待审回复").click()
    first = browser.find_element(By.CSS_SELECTOR, "table a")
    outbox_id = int(first.text.lstrip("#"))
    first.click()
    browser.find_element(By.XPATH, "//button[text()='批准发送']").click()
    WebDriverWait(browser, 10).until(expected_conditions.title_contains("待审回复"))
    (row,) = console.query("select status, approved_by from outbox where id = ?", [outbox_id])
    assert row == {"status": "queued", "approved_by": "alice"}
    spool = console.root / "var" / "outbox"
    before = len(list(spool.glob("*.eml")))
    assert console.intake("run").returncode == 0
    assert len(list(spool.glob("*.eml"))) == before + 1


def test_a_viewer_sees_the_reply_but_no_button_to_act(browser, console):
    log_in(browser, console, "bob", VIEWER_PASSWORD)
    (held,) = console.query("select id from outbox where status = 'held' order by id limit 1")
    browser.get(f"{console.url}outbox/{held['id']}")
    assert "纯文本" in browser.page_source
    assert not browser.find_elements(By.XPATH, "//button[text()='批准发送']")


def test_an_applicants_markup_never_runs(browser, console):
    """The reply listing a file named <img src=x onerror=alert(1)> shows the name as text; no
    alert opens, in the page or in the sandboxed frame of its HTML part."""
    log_in(browser, console, "alice", PASSWORD)
    (row,) = console.query("select id from outbox where to_addr = 'script@example.cn'")
    browser.get(f"{console.url}outbox/{row['id']}")
    assert "<img src=x onerror=alert(1)>" in browser.find_element(By.TAG_NAME, "pre").text
    with pytest.raises(TimeoutException):
        WebDriverWait(browser, 2).until(expected_conditions.alert_is_present())
    assert not browser.find_elements(By.CSS_SELECTOR, "main img")
