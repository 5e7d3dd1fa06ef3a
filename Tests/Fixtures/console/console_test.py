"""The web console in headless Chromium, driven by selenium: run by
Tests/EndToEndTests/PipelineEndToEndConsoleTests.swift against a running pipeline.

Signs up, signs out, signs in, submits a CSV by a (synthesized) drag-and-drop onto the drop
zone, watches the job finish in the list, opens the job page, waits for every thumbnail to
load, processes one image on the single-image page, signs out. Every step leaves a screenshot
in --artifacts. Every wait is bounded, so a regression fails in seconds, not at a suite timeout.
Exits 0 when every check passed; prints what failed otherwise.
"""

import argparse
import json
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", required=True, help="the api service, e.g. http://127.0.0.1:8086")
    parser.add_argument("--csv", required=True, help="the CSV to submit")
    parser.add_argument("--image", required=True, help="an image for the single-image page")
    parser.add_argument("--succeeded", type=int, required=True, help="images of the CSV that succeed")
    parser.add_argument("--failed-url", required=True, help="the one URL of the CSV that fails")
    parser.add_argument("--artifacts", required=True, help="where screenshots go")
    parser.add_argument("--timeout", type=float, default=90, help="seconds any one wait may take")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    return parser.parse_args()


class Console:
    def __init__(self, arguments):
        self.arguments = arguments
        self.base = arguments.base_url.rstrip("/")
        os.makedirs(arguments.artifacts, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = arguments.chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--disable-gpu", "--no-first-run", "--disable-extensions", "--lang=en-US"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.downloads = os.path.join(arguments.artifacts, "downloads")
        os.makedirs(self.downloads, exist_ok=True)
        options.add_experimental_option("prefs", {"download.default_directory": self.downloads, "download.prompt_for_download": False})
        self.driver = webdriver.Chrome(service=Service(executable_path=arguments.chromedriver), options=options)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})
        self.driver.set_page_load_timeout(arguments.timeout)
        self.step_number = 0
        self.started = time.monotonic()

    def wait(self, condition, what):
        try:
            return WebDriverWait(self.driver, self.arguments.timeout, poll_frequency=0.2).until(condition)
        except TimeoutException:
            self.screenshot("timeout")
            raise AssertionError(f"timed out after {self.arguments.timeout:.0f} s waiting for {what}")

    def step(self, name):
        self.step_number += 1
        print(f"[{time.monotonic() - self.started:6.1f} s] {self.step_number:02d} {name}", flush=True)

    def screenshot(self, name):
        path = os.path.join(self.arguments.artifacts, f"{self.step_number:02d}-{name}.png")
        # The whole page: the viewport made as tall as the content (within reason), then back.
        height = self.driver.execute_script("return Math.min(4000, document.body.scrollHeight)")
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 1280, "height": max(800, height), "deviceScaleFactor": 1, "mobile": False})
        self.driver.save_screenshot(path)
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        return path

    def heading(self, text):
        self.wait(lambda d: any(h.text == text for h in d.find_elements(By.CSS_SELECTOR, "main h2")), f"the heading '{text}'")

    def fill(self, element_id, value):
        element = self.driver.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(value)

    def status_message(self, text):
        self.wait(lambda d: text in d.find_element(By.ID, "status").get_attribute("textContent"), f"the status message '{text}'")

    def browser_errors(self):
        """Script errors and Content-Security-Policy refusals; failed requests are not errors
        here, because the test provokes some (a weak password, a refused recipe)."""
        return [entry for entry in self.driver.get_log("browser")
                if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]


def check_headers(base):
    """The console's security headers and content types, as served."""
    for path, content_type in (("/", "text/html"), ("/console/app.js", "text/javascript"), ("/console/style.css", "text/css")):
        with urllib.request.urlopen(base + path, timeout=10) as response:
            headers = response.headers
            assert headers["Content-Type"].startswith(content_type), f"{path}: Content-Type {headers['Content-Type']}"
            policy = headers["Content-Security-Policy"] or ""
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, f"{path}: CSP {policy}"
            assert "unsafe-inline" not in policy, f"{path}: CSP allows inline code: {policy}"
            assert headers["X-Content-Type-Options"] == "nosniff", f"{path}: no nosniff"
            assert headers["Referrer-Policy"] == "no-referrer", f"{path}: Referrer-Policy {headers['Referrer-Policy']}"
            assert headers["Cache-Control"] == "no-cache" and headers["ETag"], f"{path}: caching headers {headers}"


DROP_SCRIPT = """
const [target, name, text] = arguments;
const transfer = new DataTransfer();
transfer.items.add(new File([text], name, { type: 'text/csv' }));
for (const type of ['dragenter', 'dragover', 'drop']) {
  target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
}
"""

THUMBNAILS_LOADED = """
const images = [...document.querySelectorAll('#thumbnails img')];
return images.length === arguments[0] && images.every((image) => image.complete && image.naturalWidth > 0
  && image.src.startsWith('blob:') && image.alt.length > 0);
"""


def run(console, arguments):
    driver = console.driver
    email = f"console-{int(time.time() * 1000)}@example.com"
    password = "correct horse battery"

    console.step("the console's headers")
    check_headers(console.base)

    console.step("the sign-in form greets a visitor")
    driver.get(console.base + "/")
    console.heading("Sign in")
    assert driver.find_element(By.CSS_SELECTOR, "label[for=email]").text == "Email address"
    assert driver.find_element(By.ID, "nav").get_attribute("hidden") is not None, "navigation shown while signed out"
    # The keyboard: focus starts on the heading, and Tab goes through the form in reading order.
    assert driver.execute_script("return document.activeElement.tagName") == "H2", "focus not on the view's heading"
    order = []
    for _ in range(4):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        order.append(driver.execute_script(
            "const e = document.activeElement; return e.id || e.getAttribute('href') || e.textContent.trim()"))
    assert order == ["email", "password", "Sign in", "#/sign-up"], f"tab order {order}"
    console.screenshot("sign-in")

    console.step("sign up")
    driver.find_element(By.LINK_TEXT, "Create an account").click()
    console.heading("Create an account")
    console.fill("email", email)
    console.fill("password", "12345")
    driver.find_element(By.CSS_SELECTOR, "#auth-form button[type=submit]").click()
    console.wait(lambda d: "at least 6" in d.find_element(By.ID, "auth-error").text, "the weak-password error")
    console.fill("password", password)
    driver.find_element(By.CSS_SELECTOR, "#auth-form button[type=submit]").click()
    console.heading("Jobs")
    console.wait(lambda d: d.find_element(By.ID, "who").text == f"Signed in as {email}", "the signed-in user in the header")
    console.wait(EC.visibility_of_element_located((By.ID, "no-jobs")), "the empty job list")
    console.screenshot("signed-up")

    console.step("sign out, then sign in again")
    driver.find_element(By.ID, "sign-out").click()
    console.heading("Sign in")
    console.fill("email", email)
    console.fill("password", "wrong password")
    driver.find_element(By.CSS_SELECTOR, "#auth-form button[type=submit]").click()
    console.wait(lambda d: "wrong" in d.find_element(By.ID, "auth-error").text, "the wrong-password error")
    console.fill("password", password)
    driver.find_element(By.CSS_SELECTOR, "#auth-form button[type=submit]").click()
    console.heading("Jobs")
    assert driver.execute_script("return localStorage.getItem('pixelpipe.session') !== null"), "no session kept"
    # A reload keeps the session: a new ID token from Secure Token, called from the page.
    driver.refresh()
    console.heading("Jobs")
    console.wait(lambda d: d.find_element(By.ID, "who").text == f"Signed in as {email}", "the session after a reload")
    console.wait(lambda d: "active jobs" in d.find_element(By.ID, "usage").text, "the usage line from /v1/me")

    console.step("a new job: the CSV dropped on the drop zone, a recipe checked here and by the API")
    driver.find_element(By.LINK_TEXT, "New job").click()
    console.heading("New job")
    with open(arguments.csv, encoding="utf-8") as file:
        csv_text = file.read()
    csv_name = os.path.basename(arguments.csv)
    driver.execute_script(DROP_SCRIPT, driver.find_element(By.ID, "drop-zone"), csv_name, csv_text)
    console.wait(lambda d: csv_name in d.find_element(By.ID, "csv-chosen").text, "the dropped file to be chosen")
    recipe = driver.find_element(By.ID, "recipe")
    recipe.send_keys('{"sizes": ')
    console.wait(lambda d: "not valid JSON" in d.find_element(By.ID, "recipe-error").text, "the JSON syntax error")
    assert recipe.get_attribute("aria-invalid") == "true"
    # Valid JSON the API refuses: its problem's detail appears next to the field.
    recipe.clear()
    recipe.send_keys('{"formats": ["gif"]}')
    driver.find_element(By.CSS_SELECTOR, "#new-job button[type=submit]").click()
    console.wait(lambda d: d.find_element(By.ID, "recipe-error").text.strip() != "", "the API's problem next to the recipe")
    print(f"    the API said: {driver.find_element(By.ID, 'recipe-error').text}", flush=True)
    assert driver.execute_script("return document.activeElement.id") == "recipe", "focus not moved to the refused field"
    Select(driver.find_element(By.ID, "recipe-preset")).select_by_visible_text("Web thumbnails")
    assert '"thumb"' in recipe.get_attribute("value"), "the preset did not fill the recipe"
    console.screenshot("new-job")
    driver.find_element(By.CSS_SELECTOR, "#new-job button[type=submit]").click()
    console.wait(lambda d: "#/jobs/" in d.current_url, "the job page after submitting")
    job_id = driver.current_url.rsplit("/", 1)[-1]

    console.step(f"job {job_id} finishes in the job list")
    driver.find_element(By.LINK_TEXT, "Jobs").click()
    console.heading("Jobs")
    row = f"tr[data-job-id='{job_id}']"
    console.wait(EC.presence_of_element_located((By.CSS_SELECTOR, row)), "the job's row")
    console.wait(lambda d: d.find_element(By.CSS_SELECTOR, row).get_attribute("data-status") in ("finished", "finished_with_errors"),
                 "the job to finish")
    bar = driver.find_element(By.CSS_SELECTOR, f"{row} [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "100", f"progress {bar.get_attribute('aria-valuenow')} at the end"
    console.screenshot("jobs")

    console.step("the job page: counts, failures grouped by reason, every thumbnail loaded")
    driver.find_element(By.CSS_SELECTOR, f"{row} a").click()
    console.heading(csv_name)
    console.wait(lambda d: d.execute_script(THUMBNAILS_LOADED, arguments.succeeded), f"{arguments.succeeded} thumbnails to load")
    console.wait(lambda d: arguments.failed_url in d.find_element(By.ID, "failures").text, "the failed URL under Failures")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#failures details")) == 1, "one failure group expected"
    timings = driver.find_element(By.ID, "job-timings").text
    assert "Processing" in timings and "Finished" in timings, timings
    assert driver.find_element(By.ID, "download-csv").is_enabled(), "output.csv cannot be downloaded"
    driver.execute_script("window.scrollTo(0, 0)")
    shot = console.screenshot("job")
    print(f"    screenshot: {shot}", flush=True)

    console.step("downloads through the API, and a retry of the failed image")
    driver.find_element(By.ID, "download-csv").click()
    driver.find_element(By.ID, "download-results").click()
    base = os.path.splitext(csv_name)[0]
    output_csv = os.path.join(console.downloads, f"{base}-output.csv")
    results = os.path.join(console.downloads, f"{base}-results.ndjson")
    console.wait(lambda d: os.path.exists(output_csv) and os.path.exists(results), "the two downloads")
    with open(output_csv, encoding="utf-8") as file:
        assert file.readline().startswith("S. No.,Product Name,Input Image Urls,Output Image Urls"), "output.csv's header"
    with open(results, encoding="utf-8") as file:
        lines = [json.loads(line) for line in file if line.strip()]
        assert len(lines) == arguments.succeeded + 1, f"{len(lines)} results"
    driver.find_element(By.ID, "retry-job").click()
    console.status_message("Retrying")
    console.wait(lambda d: d.find_element(By.TAG_NAME, "main").get_attribute("data-job-status") == "finished_with_errors"
                 and d.find_element(By.ID, "retry-job").is_displayed(), "the retried job to finish again")

    console.step("a single image: before at once, after once processed")
    driver.find_element(By.LINK_TEXT, "Single image").click()
    console.heading("Single image")
    driver.find_element(By.ID, "image-file").send_keys(os.path.abspath(arguments.image))
    console.wait(lambda d: d.execute_script(
        "const i = document.getElementById('before-image'); return i && i.complete && i.naturalWidth > 0"), "the before preview")
    driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    console.wait(lambda d: d.execute_script(
        "const i = document.getElementById('after-image'); return i && i.complete && i.naturalWidth > 0"), "the after image")
    console.screenshot("single-image")

    console.step("sign out")
    driver.find_element(By.ID, "sign-out").click()
    console.heading("Sign in")
    console.wait(EC.visibility_of_element_located((By.ID, "auth-form")), "the sign-in form")
    assert driver.execute_script("return localStorage.getItem('pixelpipe.session') === null"), "the session outlived signing out"
    console.screenshot("signed-out")

    errors = console.browser_errors()
    assert not errors, "the browser logged errors:\n" + "\n".join(json.dumps(entry) for entry in errors)


def main():
    arguments = parse_arguments()
    console = Console(arguments)
    try:
        run(console, arguments)
    except AssertionError as failure:
        print(f"FAILED: {failure}", flush=True)
        for entry in console.driver.get_log("browser"):
            print(f"    browser: {entry['level']} {entry['message']}", flush=True)
        return 1
    finally:
        elapsed = time.monotonic() - console.started
        console.driver.quit()
    print(f"console test passed in {elapsed:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
