using System.Net;
using DPoP.Http.DemoServer.Tests.Support;
using DPoP.Http.Testing;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using OpenQA.Selenium;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>
/// ASP.NET Core's OpenID Connect handler, with its defaults (response_mode form_post, PKCE, PAR when offered), signs
/// in and out at the demo OP: discovery, JWKS, ID token, nonce, state and end session all fit.
/// </summary>
[NonParallelizable]
public sealed class OpenIdConnectHandlerTests
{
    private DemoServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await DemoServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static HttpClient CookieClient() =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = true, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

    private async Task<(HttpClient Http, string Greeting)> SignInAsync(OpenIdConnectRelyingParty relyingParty, string user = "alice")
    {
        var http = CookieClient();
        using var signInPage = await http.GetAsync(relyingParty.BaseAddress);
        var html = await signInPage.Content.ReadAsStringAsync();
        Assert.That(signInPage.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Path), Is.EqualTo(_server.AuthorizationEndpoint.AbsoluteUri), html);

        // What a browser does: click the user's button, then let the form_post page submit itself.
        var signIn = DemoServerForm.ReadAll(html, signInPage.RequestMessage.RequestUri).Single(f => f.Id == "signin-" + user);
        using var formPage = await http.PostAsync(signIn.Action, signIn.ToContent());
        var response = DemoServerForm.ReadAll(await formPage.Content.ReadAsStringAsync(), signIn.Action).Single(f => f.Id == "response");
        using var landing = await http.PostAsync(response.Action, response.ToContent());
        return (http, await landing.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task SignIn_HandlerDefaultsWithPar_UserIsSignedInWithDPoPTokens()
    {
        await using var relyingParty = await OpenIdConnectRelyingParty.StartAsync(_server, cookiesOverHttp: true);
        var pushedBefore = _server.Statistics.PushedAuthorizationRequests;
        var grantsBefore = _server.Statistics.AuthorizationCodeGrants;

        var (http, greeting) = await SignInAsync(relyingParty);
        using var _ = http;

        Assert.Multiple(() =>
        {
            Assert.That(greeting, Does.Contain("hello alice; token_type DPoP; refresh token kept"));
            Assert.That(_server.Statistics.PushedAuthorizationRequests, Is.EqualTo(pushedBefore + 1), "the handler uses PAR when discovery offers it");
            Assert.That(_server.Statistics.AuthorizationCodeGrants, Is.EqualTo(grantsBefore + 1));
            Assert.That(_server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Kind == DemoServerEventKinds.RequestPushed && e.Detail.EndsWith("bound to dpop_jkt", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task SignIn_HandlerWithoutPar_UserIsSignedIn()
    {
        await using var relyingParty = await OpenIdConnectRelyingParty.StartAsync(_server, o => o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable, cookiesOverHttp: true);
        var pushedBefore = _server.Statistics.PushedAuthorizationRequests;

        var (http, greeting) = await SignInAsync(relyingParty, "bob");
        using var _ = http;

        Assert.Multiple(() =>
        {
            Assert.That(greeting, Does.Contain("hello bob; token_type DPoP"));
            Assert.That(_server.Statistics.PushedAuthorizationRequests, Is.EqualTo(pushedBefore));
        });
    }

    [Test]
    public async Task SignOut_Handler_EndsTheSessionAtTheOpAndComesBack()
    {
        await using var relyingParty = await OpenIdConnectRelyingParty.StartAsync(_server, cookiesOverHttp: true);
        var (http, _) = await SignInAsync(relyingParty);
        using var client = http;
        var before = _server.Statistics.EndSessions;

        using var signedOut = await client.GetAsync(new Uri(relyingParty.BaseAddress, "logout"));

        Assert.Multiple(async () =>
        {
            Assert.That(signedOut.RequestMessage!.RequestUri, Is.EqualTo(new Uri(relyingParty.BaseAddress, "signed-out")));
            Assert.That(await signedOut.Content.ReadAsStringAsync(), Does.Contain("signed out"));
            Assert.That(_server.Statistics.EndSessions, Is.EqualTo(before + 1));
        });
    }

    [Test]
    public async Task SignIn_HeadlessChromiumWithHandlerDefaults_UserIsSignedInAndOut()
    {
        HeadlessChromium.RequireInstalled();
        await using var relyingParty = await OpenIdConnectRelyingParty.StartAsync(_server);
        using var browser = HeadlessChromium.Start();

        browser.GoTo(relyingParty.BaseAddress);
        browser.WaitFor(By.Id("signin-button-alice")).Click();
        var greeting = browser.WaitFor(By.Id("user")).Text;
        browser.GoTo(new Uri(relyingParty.BaseAddress, "logout"));
        var signedOut = browser.WaitFor(By.Id("signed-out")).Text;

        Assert.Multiple(() =>
        {
            Assert.That(greeting, Is.EqualTo("hello alice; token_type DPoP; refresh token kept"));
            Assert.That(signedOut, Is.EqualTo("signed out"));
        });
    }
}
