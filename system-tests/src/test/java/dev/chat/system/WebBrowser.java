package dev.chat.system;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * One headless Chromium (Debian's {@code chromium}, driven through Debian's {@code chromium-driver}), with a
 * fresh profile of its own: a separate "browser context", as a second person or a second device would be.
 * Both paths are set explicitly, so Selenium never looks for (or downloads) a browser or a driver. Override
 * them with {@code CHROMIUM_BIN} and {@code CHROMEDRIVER_BIN}.
 */
final class WebBrowser implements AutoCloseable {
    static final Dimension DESKTOP = new Dimension(1280, 800);
    static final Dimension PHONE = new Dimension(390, 844);
    static final Duration WAIT = Duration.ofSeconds(30);

    private static final Path CHROMIUM = Path.of(env("CHROMIUM_BIN", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));

    private final String name;
    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final OutputStream driverLog;

    private WebBrowser(String name, ChromeDriver driver, ChromeDriverService service, Path profile, OutputStream log) {
        this.name = name;
        this.driver = driver;
        this.service = service;
        this.profile = profile;
        this.driverLog = log;
    }

    /** Starts a browser whose page area is {@code size} (CSS pixels, device scale 1). */
    static WebBrowser open(String name, Dimension size) {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: the browser tests need Debian's chromium and"
                        + " chromium-driver packages (scripts/install-deps installs them)");
            }
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        Path profile = null;
        OutputStream log = null;
        try {
            Path logs = Files.createDirectories(LocalStack.projectRoot().resolve("system-tests/target/browser-logs"));
            profile = Files.createTempDirectory("chat-browser-" + name + "-");
            log = Files.newOutputStream(logs.resolve(name + "-" + System.currentTimeMillis() + ".log"));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .withLogOutput(log)
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox", // root in a container: Chromium's sandbox cannot start
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-default-apps",
                    "--disable-extensions",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-quic",
                    "--disable-features=Translate,MediaRouter,OptimizationHints",
                    // Timers of a page that is not in front must not be throttled: each test browser is "in front".
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding",
                    "--disable-backgrounding-occluded-windows",
                    "--force-device-scale-factor=1",
                    "--hide-scrollbars",
                    "--lang=en-US",
                    "--user-data-dir=" + profile,
                    "--window-size=" + size.getWidth() + "," + size.getHeight());
            LoggingPreferences logging = new LoggingPreferences();
            logging.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logging);
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
            WebBrowser b = new WebBrowser(name, driver, service, profile, log);
            b.resize(size);
            return b;
        } catch (IOException | RuntimeException e) {
            deleteTree(profile);
            closeQuietly(log);
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start " + CHROMIUM, e);
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    String name() {
        return name;
    }

    /** Makes the page's viewport exactly {@code size} (a headless window's outer size includes no chrome). */
    void resize(Dimension size) {
        driver.manage().window().setSize(size);
        Object inner = js("return [window.innerWidth, window.innerHeight];");
        if (inner instanceof List<?> l && l.size() == 2) {
            int dw = size.getWidth() - ((Number) l.get(0)).intValue();
            int dh = size.getHeight() - ((Number) l.get(1)).intValue();
            if (dw != 0 || dh != 0) {
                driver.manage().window().setSize(new Dimension(size.getWidth() + dw, size.getHeight() + dh));
            }
        }
    }

    void get(String url) {
        driver.get(url);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    Object jsAsync(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** Chrome DevTools commands through chromedriver (no DevTools client needed). */
    Map<String, Object> cdp(String command, Map<String, Object> params) {
        return driver.executeCdpCommand(command, params);
    }

    /** Writes a PNG of the page as it looks now. */
    void screenshot(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    /**
     * Writes a PNG of the part of the page around {@code element} ({@code margin} CSS pixels on each side), enlarged
     * {@code scale} times: a detail (a message's ticks) that the whole page's screenshot shows too small to see.
     */
    void screenshotOf(Path file, WebElement element, int margin, double scale) {
        Rectangle r = element.getRect();
        Map<String, Object> clip = Map.of("x", Math.max(0, r.getX() - margin), "y", Math.max(0, r.getY() - margin),
                "width", r.getWidth() + 2 * margin, "height", r.getHeight() + 2 * margin, "scale", scale);
        String png = (String) cdp("Page.captureScreenshot", Map.of("format", "png", "clip", clip)).get("data");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode(png));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    /** Polls {@code condition} every 100 ms until it holds; fails after {@code timeout} saying what it waited for. */
    <T> T waitFor(String what, Duration timeout, Supplier<T> condition) {
        Instant deadline = Instant.now().plus(timeout);
        RuntimeException last = null;
        while (true) {
            try {
                T v = condition.get();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
                last = null;
            } catch (WebDriverException | IllegalStateException e) {
                last = e; // the page is changing under us: try again
            }
            if (Instant.now().isAfter(deadline)) {
                AssertionError err = new AssertionError(name + ": waited " + timeout.toSeconds() + " s for " + what
                        + "\n--- browser console ---\n" + consoleLog());
                if (last != null) {
                    err.addSuppressed(last);
                }
                throw err;
            }
            ChatThroughProxyTest.pause(100);
        }
    }

    <T> T waitFor(String what, Supplier<T> condition) {
        return waitFor(what, WAIT, condition);
    }

    /** What the page wrote to its console (errors included), for failure messages. */
    String consoleLog() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .map(e -> e.getLevel() + " " + e.getMessage()).collect(Collectors.joining("\n"));
        } catch (WebDriverException e) {
            return "(no console log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } catch (WebDriverException e) {
            // already gone
        } finally {
            service.stop();
            closeQuietly(driverLog);
            deleteTree(profile);
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }

    private static void closeQuietly(OutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // a log file
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Chromium may still be writing its last files; the temp folder is cleaned eventually
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
