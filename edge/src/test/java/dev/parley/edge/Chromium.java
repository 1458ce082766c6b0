package dev.parley.edge;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium per test JVM (Debian's {@code chromium} and {@code chromium-driver}), started
 * on first use and quit when the JVM ends; tests open windows in it rather than browsers (each
 * window has its own sessionStorage, so each can be a different signed-in user). Both paths are
 * given, so Selenium Manager never looks for or downloads a driver (and {@code SE_OFFLINE} is set
 * in failsafe's environment besides).
 *
 * <p>Without Chromium the browser tests are skipped, except under {@code CI=true}, where a missing
 * install step must fail the build instead of hiding.
 */
final class Chromium {

    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private static ChromeDriver driver;

    private Chromium() {}

    static void assumeInstalled() {
        boolean installed = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
        String why = "browser tests need " + BROWSER + " and " + DRIVER
                + " (apt-get install chromium chromium-driver fonts-dejavu-core)";
        if (!installed && "true".equals(System.getenv("CI"))) {
            Assertions.fail(why);
        }
        Assumptions.assumeTrue(installed, why);
    }

    static synchronized ChromeDriver driver() throws IOException {
        if (driver == null) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BROWSER.toFile());
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox", // root in a container has no user namespace for the sandbox
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--window-size=1100,800",
                    "--user-data-dir="
                            + Files.createTempDirectory("parley-chromium").toString());
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(DRIVER.toString()))
                    .usingAnyFreePort()
                    .build();
            driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            ChromeDriver started = driver;
            Runtime.getRuntime().addShutdownHook(new Thread(started::quit, "chromium-quit"));
        }
        return driver;
    }
}
