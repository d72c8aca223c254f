"""The public ledger page at ``/`` in a real headless browser (Debian's
chromium driven by selenium through chromium-driver): it loads, shows a
batch just settled, and its nullifier lookup works."""

import httpx
import pytest

from _server_util import Server, SimProver, deposit_batch, nullifiers_of, sim_venue
from conftest import require_program
from zkats.venue import batch as B


@pytest.fixture
def browser():
    chromium = require_program("chromium", "make test installs Debian's chromium")
    driver_path = require_program("chromedriver", "make test installs chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        opts.add_argument(a)
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def test_public_page_shows_a_settled_batch_and_looks_up_nullifiers(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    sim = SimProver(seed=3)
    venue = sim_venue(tmp_path / "venue", sim)
    with Server(venue) as srv:
        root = int(httpx.get(srv.url + "/v1/roots/current").json()["root"])
        batch = deposit_batch(sim, root, n=2)
        r = httpx.post(srv.url + "/v1/batches", content=B.dumps(batch))
        assert r.status_code == 201, r.text
        rec = r.json()

        browser.get(srv.url + "/")
        wait = WebDriverWait(browser, 30)
        wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "1 batches"))
        rows = browser.find_elements(By.CSS_SELECTOR, "#batches tbody tr")
        assert len(rows) == 1
        cells = rows[0].find_elements(By.TAG_NAME, "td")
        assert cells[0].text == "1" and cells[1].text == "2"
        assert cells[4].get_attribute("title") == rec["root"]
        assert browser.find_element(By.ID, "summary-current-root").text == rec["root"]
        assert browser.find_element(By.ID, "summary-nullifiers-spent").text == "2"

        # a batch settled while the page is open appears on the next refresh
        batch2 = deposit_batch(sim, root, n=1)
        assert httpx.post(srv.url + "/v1/batches", content=B.dumps(batch2)).status_code == 201
        wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "2 batches"))

        box = browser.find_element(By.ID, "nullifier-input")
        box.send_keys(nullifiers_of(batch2)[0])
        browser.find_element(By.ID, "nullifier-button").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "nullifier-result"), "spent in"))
        assert browser.find_element(By.ID, "nullifier-result").text.startswith("spent in batch 2")
        box.clear()
        box.send_keys("424242")
        browser.find_element(By.ID, "nullifier-button").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "nullifier-result"), "not spent"))
        box.clear()
        box.send_keys("not-a-number")
        browser.find_element(By.ID, "nullifier-button").click()
        wait.until(
            ec.text_to_be_present_in_element((By.ID, "nullifier-result"), "canonical decimal")
        )
        # nothing private on the page: no wallet, key or opening words
        text = browser.find_element(By.TAG_NAME, "body").text.lower()
        assert "operator.token" not in text and "blinding" not in text
