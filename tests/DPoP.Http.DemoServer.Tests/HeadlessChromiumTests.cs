using DPoP.Http.Testing;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>A missing browser fails browser tests under CI=true and skips them elsewhere, naming the install command.</summary>
public sealed class HeadlessChromiumTests
{
    private const string Missing = "/nonexistent/dpop-http/chromium";

    [Test]
    public void RequireInstalled_MissingUnderCi_Fails()
    {
        var failure = Assert.Throws<AssertionException>(() => HeadlessChromium.RequireInstalled(Missing, Missing, isCi: true));

        Assert.That(failure!.Message, Does.Contain("apt-get install chromium chromium-driver").And.Contain("CI=true"));
    }

    [Test]
    public void RequireInstalled_MissingLocally_Ignores()
    {
        var skip = Assert.Throws<IgnoreException>(() => HeadlessChromium.RequireInstalled(Missing, Missing, isCi: false));

        Assert.That(skip!.Message, Does.Contain("apt-get install chromium chromium-driver").And.Contain(Missing));
    }

    [Test]
    public void RequireInstalled_BothPresent_Returns()
    {
        var present = typeof(HeadlessChromiumTests).Assembly.Location;

        Assert.That(() => HeadlessChromium.RequireInstalled(present, present, isCi: true), Throws.Nothing);
    }
}
