"""The hearing page in a real browser: the real `serve`, Debian's Chromium and chromedriver through
Selenium (headless, no network, a fresh profile), the FAQ's worked example appealed and reversed.
The officer sees the appellant's facts, the deadline, the chart, runs a what-if from the page's
form and sees the differences; the page prints to PDF; screenshots are kept in the test's folder.
Without Chromium the test fails (CI installs it: README's test command)."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from .hearing_scenario import APPEAL_ID, HOUSEHOLD_ID, REPRESENTATIVE
from .test_hearing_page import apply_case
from .test_http_api import create_tokens, running_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


def browser_paths() -> tuple[str, str]:
    """Chromium and chromedriver, where Debian's packages put them (or on PATH)."""
    chromium = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    driver = CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.fail(
            "Chromium and chromedriver are needed: apt-get install -y chromium chromium-driver"
        )
    return chromium, driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    chromium, driver_path = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def full_page_screenshot(driver: Any, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height) + 40, 12000))
    driver.execute_script("window.scrollTo(0, 0)")
    assert driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1600)


def visible(driver: Any, element_id: str) -> str:
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView()", element)
    assert element.is_displayed(), element_id
    text: str = element.text
    return text


def test_an_officer_reads_the_hearing_page_runs_a_what_if_and_prints_it(
    tmp_path: Path, browser: Any
) -> None:
    with running_server(tmp_path / "server") as server:
        apply_case(server.cwd, server.store)
        token = create_tokens(server.store, ["appeals"], server.cwd)[0]["token"]
        browser.get(server.base + "/health")
        browser.add_cookie({"name": "ledger_token", "value": token, "path": "/"})

        browser.get(f"{server.base}/appeals/{APPEAL_ID}/hearing.html")
        assert f"appeal {APPEAL_ID}" in browser.title
        assert "member FAQ-1" in visible(browser, "appellant")
        assert REPRESENTATIVE in visible(browser, "filed-by")
        deadline = visible(browser, "deadline")
        assert "2026-02-09" in deadline and "presumed 5 days" in deadline
        assert "timely" in visible(browser, "timely")
        facts = visible(browser, "facts-then")
        assert "$35000.00" in facts and "FAQ-1" in facts and "1984-09-17" in facts
        assert "plan type 3A" in visible(browser, "action-words")
        chart = browser.find_element(By.CSS_SELECTOR, "figure.picture svg")
        browser.execute_script("arguments[0].scrollIntoView()", chart)
        assert chart.is_displayed() and chart.size["width"] > 300
        months = chart.find_elements(By.CSS_SELECTOR, "g.month")
        assert [m.get_attribute("data-state") for m in months][-4:] == [
            "grace",
            "reinstated",
            "reinstated",
            "reinstated",
        ]
        full_page_screenshot(browser, tmp_path / "hearing-page.png")
        pdf = base64.b64decode(browser.print_page(PrintOptions()))
        assert pdf.startswith(b"%PDF")
        (tmp_path / "hearing-page.pdf").write_bytes(pdf)

        browser.find_element(By.NAME, "annual_magi").send_keys("25000.00")
        browser.find_element(By.CSS_SELECTOR, "form.what-if button").click()
        differences = visible(browser, "what-if-differences")
        assert "plan_type" in differences and "3A" in differences and "2B" in differences
        assert "nothing was recorded" in visible(browser, "what-if-result")
        assert "2026-04" in visible(browser, "what-if-months")
        full_page_screenshot(browser, tmp_path / "what-if.png")

        browser.get(f"{server.base}/households/{HOUSEHOLD_ID}/timeline.html")
        assert HOUSEHOLD_ID in visible(browser, "household-id")
        assert browser.find_element(By.CSS_SELECTOR, "figure.picture svg").is_displayed()
        assert "PaymentMissed" in browser.find_element(By.CSS_SELECTOR, "table.timeline").text
        full_page_screenshot(browser, tmp_path / "timeline-page.png")
    for name in ("hearing-page.png", "what-if.png", "timeline-page.png", "hearing-page.pdf"):
        assert (tmp_path / name).stat().st_size > 10_000, name
