using System.Text.Json;
using DPoP.Http.DemoServer;
using DPoP.Http.Testing;
using OpenQA.Selenium;

namespace DPoP.Http.Samples.Web.Tests;

/// <summary>
/// The web sample as a user sees it, in a real headless Chromium: sign in at the demo OpenID provider, call the API as
/// the signed-in user and see its DPoP-bound answer and the proof that carried it, sign out.
/// </summary>
[Category("Integration")]
internal sealed class WebSampleBrowserTests
{
    [OneTimeSetUp]
    public void RequireBrowser() => HeadlessChromium.RequireInstalled();

    [Test]
    public async Task Browser_SignInCallSignOut_TheApiAnswersTheUserWithADPoPBoundToken_AndSignOutRevokes()
    {
        await using var sample = await WebSample.StartAsync(["--urls=http://127.0.0.1:0"]);
        var demo = sample.Demo!;
        using var browser = HeadlessChromium.Start();

        browser.GoTo(sample.BaseAddress);
        browser.WaitFor(By.Id("signin-link")).Click();
        browser.WaitFor(By.Id("signin-button-alice")).Click();
        Assert.That(browser.WaitFor(By.Id("user-name")).Text, Is.EqualTo("Alice Demo"), "signed in, back at the app");

        browser.WaitFor(By.Id("call-link")).Click();
        var shownRequest = browser.WaitFor(By.TagName("h2")).Text;
        var status = browser.WaitFor(By.Id("api-status")).Text;
        var scheme = browser.WaitFor(By.Id("auth-scheme")).Text;
        using var answer = JsonDocument.Parse(browser.WaitFor(By.Id("api-body")).Text);
        var proofHeaderText = browser.WaitFor(By.Id("proof-header")).Text;
        using var proofHeader = JsonDocument.Parse(proofHeaderText);
        using var proofClaims = JsonDocument.Parse(browser.WaitFor(By.Id("proof-claims")).Text);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo("200"));
            Assert.That(scheme, Does.StartWith("Authorization: DPoP"));
            Assert.That(answer.RootElement.GetProperty("sub").GetString(), Is.EqualTo("alice"), "the API saw the signed-in user");
            Assert.That(shownRequest, Is.EqualTo("GET /api/orders"), "the page names the request it made");
            Assert.That(answer.RootElement.GetProperty("path").GetString(), Is.EqualTo("/api/orders"), "the request the API answered");
            Assert.That(demo.Events.Where(e => e.Kind == DemoServerEventKinds.ResourceOk).Select(e => e.Endpoint), Is.EqualTo(new[] { shownRequest }), "the API's log");
            Assert.That(proofHeaderText, Does.Contain("\"typ\": \"dpop+jwt\""), "the header as the proof carries it, not JSON-escaped");
            Assert.That(proofHeader.RootElement.GetProperty("typ").GetString(), Is.EqualTo("dpop+jwt"));
            Assert.That(proofClaims.RootElement.GetProperty("htm").GetString(), Is.EqualTo("GET"));
            Assert.That(proofClaims.RootElement.GetProperty("htu").GetString(), Is.EqualTo(new Uri(demo.ApiBaseAddress, "orders").ToString()));
            Assert.That(proofClaims.RootElement.TryGetProperty("ath", out _), Is.True, "the proof is bound to the token");
            Assert.That(demo.Statistics.AuthorizationCodeGrants, Is.EqualTo(1));
        });

        browser.WaitFor(By.Id("signout-button")).Click();
        browser.WaitFor(By.Id("signin-link"));
        Assert.Multiple(() =>
        {
            Assert.That(browser.WaitFor(By.Id("signed-out")).Text, Is.EqualTo("Not signed in"));
            Assert.That(demo.Statistics.Revocations, Is.EqualTo(1), "sign-out revoked the session's refresh token");
            Assert.That(demo.Statistics.EndSessions, Is.EqualTo(1), "and ended the session at the provider");
        });
    }
}
