package dev.ostium.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real, headless Chromium driven through Debian's {@code chromium} and {@code chromium-driver} packages
 * (installed by {@code .ci/run}). Nothing is ever downloaded: the browser and the driver are given by
 * path, so Selenium's own manager is never asked (and the build sets {@code SE_OFFLINE=true} besides).
 * Under CI=true a missing browser fails the test; elsewhere the test is skipped with a note.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("OSTIUM_TEST_CHROMIUM", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("OSTIUM_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** The flags every headless run here uses (no sandbox as root in a container, no background traffic). */
    public static final List<String> FLAGS = List.of("--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--no-first-run", "--window-size=1200,800");

    private final ChromeDriver driver;
    private final String base;

    private Browser(ChromeDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** A fresh browser (no cookies) pointed at a server; fails under CI or skips locally without chromium. */
    public static Browser open(String baseUrl, String acceptLanguage) {
        requireAvailable();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(FLAGS);
        if (acceptLanguage != null) {
            options.addArguments("--lang=" + acceptLanguage);
            options.setExperimentalOption("prefs", java.util.Map.of("intl.accept_languages", acceptLanguage));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("/dev/null"))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Browser(driver, baseUrl);
    }

    public static Browser open(String baseUrl) {
        return open(baseUrl, "en");
    }

    public static void requireAvailable() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) return;
        String msg = "no browser: need " + CHROMIUM + " and " + CHROMEDRIVER
                + " (apt-get install chromium chromium-driver; .ci/run does it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException(msg + " (CI=true: this is a failure)");
        Assumptions.abort(msg);
    }

    /** Opens a path of the server (or a full URL). */
    public Browser go(String pathOrUrl) {
        driver.get(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
        return this;
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public Browser type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
        return this;
    }

    /** Clicks a link or a submit button and waits until the page it leads to has replaced this one. */
    public Browser click(String css) {
        WebElement page = find("html");
        find(css).click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> gone(page));
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> "complete".equals(
                ((org.openqa.selenium.JavascriptExecutor) d).executeScript("return document.readyState")));
        return this;
    }

    /**
     * True once the element left the document. Caught between two documents, the driver may answer with
     * an inspector error instead of "stale element": that too means the old page is gone.
     */
    private static boolean gone(WebElement element) {
        try {
            element.isEnabled();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
            return true;
        } catch (org.openqa.selenium.WebDriverException e) {
            if (String.valueOf(e.getMessage()).contains("does not belong to the document")) return true;
            throw e;
        }
    }

    public String title() {
        return driver.getTitle();
    }

    public String text() {
        return find("body").getText();
    }

    /** The path (and query) the browser is on. */
    public String path() {
        String url = driver.getCurrentUrl();
        return url.startsWith(base) ? url.substring(base.length()) : url;
    }

    public Cookie cookie(String name) {
        return driver.manage().getCookieNamed(name);
    }

    public Object script(String js, Object... args) {
        return driver.executeScript(js, args);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Logs in through the form as a person would. */
    public Browser logIn(String username, String password) {
        go("/account/login");
        type("input[name=username]", username);
        type("input[name=password]", password);
        click("button[type=submit]");
        return this;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
