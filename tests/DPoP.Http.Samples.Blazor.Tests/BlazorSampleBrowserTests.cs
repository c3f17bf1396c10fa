using System.Text.Json;
using DPoP.Http.DemoServer;
using DPoP.Http.Testing;
using OpenQA.Selenium;

namespace DPoP.Http.Samples.Blazor.Tests;

/// <summary>
/// The Blazor sample as a user sees it, in a real headless Chromium: sign in, call the API from an interactive server
/// component over its SignalR circuit (no HttpContext), call again after the access token expired with the circuit
/// still open (one refresh from the server-side session), sign out (the refresh token revoked).
/// </summary>
[Category("Integration")]
internal sealed class BlazorSampleBrowserTests
{
    private static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromSeconds(3);

    [OneTimeSetUp]
    public void RequireBrowser() => HeadlessChromium.RequireInstalled();

    [Test]
    public async Task Circuit_CallAfterTheAccessTokenExpired_RefreshesOnceAndTheApiAnswers_AndSignOutRevokes()
    {
        var demoOptions = new DemoServerOptions { AccessTokenLifetime = AccessTokenLifetime };
        await using var sample = await BlazorSample.StartAsync(["--urls=http://127.0.0.1:0"], demoOptions, refreshBeforeExpiry: TimeSpan.Zero);
        var demo = sample.Demo!;
        using var browser = HeadlessChromium.Start();

        browser.GoTo(sample.BaseAddress);
        Click(browser, "signin-link");
        browser.WaitFor(By.Id("signin-button-alice")).Click();
        Assert.That(TextOf(browser, "user-name"), Is.EqualTo("Alice Demo"), "signed in, back at the app");

        var circuitUrl = ClickCall(browser, expectedCount: 1);
        var firstStatus = TextOf(browser, "api-status");
        using var firstAnswer = JsonDocument.Parse(TextOf(browser, "api-body"));
        using var firstProof = JsonDocument.Parse(TextOf(browser, "proof-claims"));
        Assert.Multiple(() =>
        {
            Assert.That(firstStatus, Is.EqualTo("200"));
            Assert.That(TextOf(browser, "auth-scheme"), Does.StartWith("Authorization: DPoP"));
            Assert.That(firstAnswer.RootElement.GetProperty("sub").GetString(), Is.EqualTo("alice"), "the API saw the circuit's user");
            Assert.That(firstProof.RootElement.TryGetProperty("ath", out _), Is.True, "the proof is bound to the token");
            Assert.That(demo.Statistics.RefreshTokenGrants, Is.Zero, "the token from sign-in was still fresh");
        });

        // The condition under test is the access token's age: let its (short) lifetime pass with the circuit open.
        await Task.Delay(AccessTokenLifetime + TimeSpan.FromSeconds(1));

        Assert.That(ClickCall(browser, expectedCount: 2), Is.EqualTo(circuitUrl), "the same page, no reload");
        using var secondAnswer = JsonDocument.Parse(TextOf(browser, "api-body"));
        Assert.Multiple(() =>
        {
            Assert.That(TextOf(browser, "api-status"), Is.EqualTo("200"));
            Assert.That(secondAnswer.RootElement.GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(demo.Statistics.RefreshTokenGrants, Is.EqualTo(1), "refreshed once, inside the circuit");
            Assert.That(demo.Statistics.AuthorizationCodeGrants, Is.EqualTo(1), "no new sign-in");
            Assert.That(demo.Events.Count(e => e.Kind == DemoServerEventKinds.ResourceOk), Is.EqualTo(2), "the API's log");
        });

        Click(browser, "signout-button");
        browser.WaitFor(By.Id("signin-link"));
        Assert.Multiple(() =>
        {
            Assert.That(TextOf(browser, "signed-out"), Is.EqualTo("Not signed in"));
            Assert.That(demo.Statistics.Revocations, Is.EqualTo(1), "sign-out revoked the session's (refreshed) refresh token");
            Assert.That(demo.Statistics.EndSessions, Is.EqualTo(1), "and ended the session at the provider");
        });
    }

    /// <summary>Clicks the component's button once the circuit is interactive and waits for the call's answer.</summary>
    private static Uri ClickCall(HeadlessChromium browser, int expectedCount)
    {
        // A stale element throws without clicking: retrying then cannot click twice.
        browser.WaitUntil(driver => Read(() =>
        {
            var button = driver.FindElement(By.Id("call-button"));
            if (!button.Enabled)
            {
                return false; // prerendered: the circuit is not connected yet
            }

            button.Click();
            return true;
        }), "the circuit is connected and the button clicked");
        var count = expectedCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        browser.WaitUntil(driver => Read(() => driver.FindElement(By.Id("call-count")).Text == count), $"call {count} answered");
        return browser.Url;
    }

    /// <summary>Clicks the element once it is on the page (again if the circuit's first render replaced it first).</summary>
    private static void Click(HeadlessChromium browser, string id) =>
        browser.WaitUntil(driver => Read(() =>
        {
            driver.FindElement(By.Id(id)).Click();
            return true;
        }), $"#{id} clicked");

    /// <summary>The element's text once it is on the page; the circuit's first render replaces the prerendered elements.</summary>
    private static string TextOf(HeadlessChromium browser, string id)
    {
        string? text = null;
        browser.WaitUntil(driver => Read(() => (text = driver.FindElement(By.Id(id)).Text) is not null), $"the text of #{id}");
        return text!;
    }

    /// <summary><paramref name="read"/>'s answer; false while the element is missing or was just re-rendered.</summary>
    private static bool Read(Func<bool> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is StaleElementReferenceException or NoSuchElementException)
        {
            return false;
        }
    }
}
