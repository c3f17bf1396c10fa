using DPoP.Http.DemoServer.Tests.Support;
using DPoP.Http.Testing;
using OpenQA.Selenium;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>
/// A real headless Chromium signs in at the demo server's sign-in page and lands back at a relying party with a code,
/// which the relying party exchanges with a DPoP proof: the OP's front channel as a browser sees it.
/// </summary>
[NonParallelizable]
public sealed class BrowserSignInTests
{
    private DemoServer _server = null!;
    private TinyRelyingParty _relyingParty = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        HeadlessChromium.RequireInstalled();
        _server = await DemoServer.StartAsync();
        _relyingParty = await TinyRelyingParty.StartAsync(_server);
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        if (_relyingParty is not null)
        {
            await _relyingParty.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [TestCase("query", "GET")]
    [TestCase("form_post", "POST")]
    public void SignIn_ClickOnTheSignInPage_LandsBackWithACodeThatRedeems(string responseMode, string callbackMethod)
    {
        using var browser = HeadlessChromium.Start();
        var grantsBefore = _server.Statistics.AuthorizationCodeGrants;

        browser.GoTo(new Uri(_relyingParty.BaseAddress, $"login?mode={responseMode}"));
        var signInPage = browser.Url;
        browser.WaitFor(By.Id("signin-button-alice")).Click();
        var result = browser.WaitFor(By.CssSelector("#result, #error"));

        Assert.Multiple(() =>
        {
            Assert.That(signInPage.GetLeftPart(UriPartial.Path), Is.EqualTo(_server.AuthorizationEndpoint.AbsoluteUri));
            Assert.That(browser.Url.GetLeftPart(UriPartial.Path), Is.EqualTo(new Uri(_relyingParty.BaseAddress, "signin-oidc").AbsoluteUri));
            Assert.That(result.GetAttribute("id"), Is.EqualTo("result"), result.Text);
            Assert.That(result.Text, Is.EqualTo($"signed in as alice; token_type DPoP; nonce matches; via {callbackMethod}"));
            Assert.That(_server.Statistics.AuthorizationCodeGrants, Is.EqualTo(grantsBefore + 1));
        });
    }

    [Test]
    public void GoTo_NonLoopbackUri_IsRefusedBeforeTheBrowserSendsAnything()
    {
        using var browser = HeadlessChromium.Start();

        Assert.That(() => browser.GoTo(new Uri("https://example.com/")), Throws.ArgumentException.With.Message.Contains("loopback"));
    }
}
