using System.Diagnostics.CodeAnalysis;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace DPoP.Http.Testing;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>), headless, driven through Debian's chromium-driver
/// (<c>/usr/bin/chromedriver</c>) with Selenium, for tests that need a real browser. Each instance has its own fresh
/// profile in a temporary directory, deleted on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// <para>
/// A missing browser or driver fails the test under <c>CI=true</c> (CI must run browser tests) and ignores it
/// otherwise, with the command that installs both: <c>apt-get install chromium chromium-driver</c>. Selenium Manager
/// is never involved (it would download drivers): both paths are given to Selenium explicitly.
/// </para>
/// <para>
/// The browser may only be sent to loopback addresses (<see cref="GoTo"/> refuses others), and runs with background
/// networking, component updates, sync and proxies off, so it talks to nothing but the test's own servers.
/// </para>
/// <para>
/// Use: <c>using var browser = HeadlessChromium.Start();</c> then <c>browser.GoTo(uri)</c>,
/// <c>browser.WaitFor(By.Id("…")).Click()</c>, <c>browser.WaitUntil(d =&gt; …, "what we wait for")</c>, and
/// <see cref="Driver"/> for anything else.
/// </para>
/// </remarks>
public sealed class HeadlessChromium : IDisposable
{
    /// <summary>Where Debian's <c>chromium</c> package installs the browser.</summary>
    public const string BrowserPath = "/usr/bin/chromium";

    /// <summary>Where Debian's <c>chromium-driver</c> package installs chromedriver.</summary>
    public const string DriverPath = "/usr/bin/chromedriver";

    /// <summary>The command that installs both (as root).</summary>
    public const string InstallCommand = "apt-get install chromium chromium-driver";

    private static readonly string[] Arguments =
    [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Beyond the required set: nothing that would reach past loopback on its own.
        "--no-default-browser-check",
        "--no-proxy-server",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--window-size=1280,900",
    ];

    private readonly ChromeDriverService _service;
    private readonly ChromeDriver _driver;
    private readonly DirectoryInfo _profile;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, DirectoryInfo profile)
    {
        _service = service;
        _driver = driver;
        _profile = profile;
    }

    /// <summary>The WebDriver session, for what the helpers here do not cover.</summary>
    public IWebDriver Driver => _driver;

    /// <summary>The current page's URL.</summary>
    public Uri Url => new(_driver.Url);

    /// <summary>The current page's HTML as the browser sees it now.</summary>
    public string PageSource => _driver.PageSource;

    /// <summary>Whether the browser and the driver are installed where Debian puts them.</summary>
    public static bool IsInstalled => File.Exists(BrowserPath) && File.Exists(DriverPath);

    /// <summary>
    /// Fails (under <c>CI=true</c>) or ignores (otherwise) the current test when the browser or the driver is missing;
    /// returns normally when both are there. <see cref="Start"/> calls it; call it yourself in a one-time set-up to
    /// skip expensive preparation.
    /// </summary>
    public static void RequireInstalled() =>
        RequireInstalled(BrowserPath, DriverPath, string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase));

    /// <summary><see cref="RequireInstalled()"/> with the paths and the CI flag given, for its own tests.</summary>
    internal static void RequireInstalled(string browserPath, string driverPath, bool isCi)
    {
        if (File.Exists(browserPath) && File.Exists(driverPath))
        {
            return;
        }

        var missing = File.Exists(browserPath) ? driverPath : browserPath;
        var reason = $"This test needs Debian's headless Chromium and its driver; {missing} was not found. Install them with: {InstallCommand}";
        if (isCi)
        {
            Assert.Fail($"{reason} (CI=true: .ci/run installs them; a missing browser is a failure there, not a skip.)");
        }

        Assert.Ignore(reason);
    }

    /// <summary>Starts chromedriver and a headless browser with a fresh profile.</summary>
    /// <returns>The running browser; dispose it to close both and delete the profile.</returns>
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope", Justification = "Owned by the returned instance, or disposed on failure.")]
    public static HeadlessChromium Start()
    {
        RequireInstalled();
        var profile = Directory.CreateTempSubdirectory("dpop-http-chromium-");
        ChromeDriverService? service = null;
        try
        {
            // Giving the driver's directory and file name keeps Selenium Manager (which downloads drivers) out of it.
            service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
            service.SuppressInitialDiagnosticInformation = true;
            service.HideCommandPromptWindow = true;
            var options = new ChromeOptions { BinaryLocation = BrowserPath };
            options.AddArguments(Arguments);
            options.AddArgument($"--user-data-dir={profile.FullName}");
            var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
            driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
            return new HeadlessChromium(service, driver, profile);
        }
        catch
        {
            service?.Dispose();
            TryDelete(profile);
            throw;
        }
    }

    /// <summary>Loads <paramref name="uri"/>, which must be on a loopback address.</summary>
    /// <exception cref="ArgumentException">The URI is not absolute or not on loopback.</exception>
    public void GoTo(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || !uri.IsLoopback)
        {
            throw new ArgumentException("Browser tests may only load pages from loopback addresses.", nameof(uri));
        }

        _driver.Navigate().GoToUrl(uri);
    }

    /// <summary>Waits until an element matching <paramref name="by"/> is on the page and returns it.</summary>
    /// <exception cref="WebDriverTimeoutException">It did not appear in time (30 s by default); the message shows where the browser is.</exception>
    public IWebElement WaitFor(By by, TimeSpan? timeout = null)
    {
        IWebElement? found = null;
        WaitUntil(driver =>
        {
            var elements = driver.FindElements(by);
            found = elements.Count > 0 ? elements[0] : null;
            return found is not null;
        }, $"an element {by}", timeout);
        return found!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">Checked about every 100 ms.</param>
    /// <param name="what">What is awaited, for the timeout message.</param>
    /// <param name="timeout">30 s by default: CI machines are shared and slow.</param>
    /// <exception cref="WebDriverTimeoutException">It did not hold in time; the message shows <see cref="Describe"/>.</exception>
    public void WaitUntil(Func<IWebDriver, bool> condition, string what, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(_driver, timeout ?? TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        try
        {
            wait.Until(condition);
        }
        catch (WebDriverTimeoutException e)
        {
            throw new WebDriverTimeoutException($"Timed out waiting for {what}; the browser is at {Describe()}", e);
        }
    }

    /// <summary>
    /// Where the browser is, for failure messages: the URL without query (codes and states travel there) and the
    /// page's visible text (hidden form fields, which carry codes on form_post pages, are not visible).
    /// </summary>
    public string Describe()
    {
        var url = Uri.TryCreate(_driver.Url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : _driver.Url;
        string text;
        try
        {
            text = _driver.FindElement(By.TagName("body")).Text;
        }
        catch (WebDriverException)
        {
            text = "(no body)";
        }

        return $"{url} showing: {(text.Length > 1000 ? text[..1000] + "…" : text)}";
    }

    /// <summary>Closes the browser and the driver and deletes the profile.</summary>
    public void Dispose()
    {
        try
        {
            _driver.Quit();
        }
        finally
        {
            _driver.Dispose();
            _service.Dispose();
            TryDelete(_profile);
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A crashed browser may still hold a file for a moment; a leftover temp directory is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
