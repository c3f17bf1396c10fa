namespace DPoP.Http.DemoServer.Tests;

/// <summary>The htu normalization of RFC 9449 §4.3 (RFC 3986 §6.2.2 and §6.2.3).</summary>
public sealed class TargetUriTests
{
    [TestCase("https://api.example/a/b", "https://api.example/a/b")]
    [TestCase("HTTPS://API.Example/a/b", "https://api.example/a/b")]
    [TestCase("https://api.example:443/a", "https://api.example/a")]
    [TestCase("http://api.example:80/a", "http://api.example/a")]
    [TestCase("http://api.example:8080/a", "http://api.example:8080/a")]
    [TestCase("https://api.example", "https://api.example/")]
    [TestCase("https://api.example/a/./b/../c", "https://api.example/a/c")]
    [TestCase("https://api.example/%7euser", "https://api.example/~user")]
    [TestCase("https://api.example/a%2fb", "https://api.example/a%2Fb")]
    [TestCase("https://api.example/caf%C3%A9", "https://api.example/caf%C3%A9")]
    public void TryNormalize_EquivalentForms_GiveOneForm(string input, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(TargetUri.TryNormalize(input, out var normalized), Is.True);
            Assert.That(normalized, Is.EqualTo(expected));
        });
    }

    [TestCase("https://api.example/a?b=c")]
    [TestCase("https://api.example/a#frag")]
    [TestCase("https://api.example/a?")]
    [TestCase("https://user@api.example/a")]
    [TestCase("ftp://api.example/a")]
    [TestCase("/relative/path")]
    [TestCase("not a uri")]
    public void TryNormalize_NotAnHtu_Fails(string input)
    {
        Assert.That(TargetUri.TryNormalize(input, out _), Is.False);
    }

    [Test]
    public void TryNormalize_PathCase_IsKept()
    {
        TargetUri.TryNormalize("https://api.example/Orders", out var upper);
        TargetUri.TryNormalize("https://api.example/orders", out var lower);

        Assert.That(upper, Is.Not.EqualTo(lower));
    }
}
