using System.Net;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// What the package reads from the provider's discovery document, which the app does not control: an optional
/// endpoint that cannot be used means the feature is off (said once in a warning), never a failed sign-in, refresh or
/// sign-out; a required one that cannot be used fails with the documented <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class DiscoveryMetadataTests : InteropTest
{
    [TestCase("/token/revocation", Description = "relative: file:///token/revocation on Linux")]
    [TestCase("ftp://127.0.0.1/token/revocation")]
    [TestCase("http://user:secret@127.0.0.1/token/revocation")]
    public async Task UnusableRevocationEndpoint_SignInRefreshAndSignOutWork_WithoutRevocation(string revocationEndpoint)
    {
        await using var app = await StartAsync("revocation_endpoint", revocationEndpoint);
        using var alice = new BrowserUser("alice", app.BaseAddress);
        var mark = InteropServers.Log.Count;

        using var signIn = await alice.SignInAsync();
        using var first = await alice.GetAsync("api");
        app.Clock.Advance(WebApp.PastExpiry);
        using var refreshed = await alice.GetAsync("api");
        using var signOut = await alice.GetAsync("logout");

        Assert.Multiple(async () =>
        {
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await signIn.Content.ReadAsStringAsync());
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
            Assert.That(refreshed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await refreshed.Content.ReadAsStringAsync());
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "the refresh went through the same token client");
            Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.OK), await signOut.Content.ReadAsStringAsync());
            Assert.That(app.Store.SessionKeys, Is.Empty, "sign-out dropped the session all the same (its tombstone stays a while, by design)");
            Assert.That(ProviderLog.Count(mark, "/token/revocation"), Is.Zero, "nothing sent to an endpoint that is not one");
            Assert.That(app.Log.Messages.Count(m => m.Contains("[218]", StringComparison.Ordinal)), Is.EqualTo(1), "said once, not on every token request");
            Assert.That(app.Log.Messages, Has.None.Contain("secret@"), "the discovered value is not logged: it may hold user information");
        });
    }

    [TestCase("/")]
    [TestCase("ftp://127.0.0.1/token")]
    [TestCase("not a url")]
    public async Task UnusableTokenEndpoint_AppToken_ThrowsInvalidOperationExceptionNamingSchemeAndField(string tokenEndpoint)
    {
        await using var app = await StartAsync("token_endpoint", tokenEndpoint);
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();

        var failure = Assert.ThrowsAsync<InvalidOperationException>(() => tokens.GetAccessTokenAsync("app"));

        Assert.That(failure!.Message, Does.Contain("'oidc'").And.Contain("token_endpoint"));
    }

    private static Task<WebApp> StartAsync(string member, string value) =>
        WebApp.StartAsync(o => o.BackchannelHttpHandler = new DiscoveryRewritingHandler(new Dictionary<string, string?> { [member] = value }));
}
